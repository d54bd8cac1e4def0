"""Live chat messages, the honest wait, and never leaving a resident waiting in silence."""

from datetime import datetime, timedelta, timezone

import pytest

from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from routing.live_chat import ADVISER_GONE, QUEUE_TIMEOUT, LiveChatError, wait_estimate
from storage.handoffs import HandoffStore
from storage.live_chat import LiveChats


@pytest.fixture
def live(engine):
    return LiveChats(engine, HandoffStore(engine, load_schedule()))


def chat(live, conversation="resident-1"):
    return live.handoffs.create(
        NewHandoff(channel="webchat", mode="live", trigger="asked", conversation_id=conversation)
    )


@pytest.mark.parametrize(
    ("position", "advisers", "says"),
    [
        (1, 1, "about 1 minute"),
        (3, 1, "about 12 minutes"),
        (3, 2, "about 6 minutes"),
        (2, 0, "Nobody is free to chat just now."),
    ],
)
def test_the_wait_is_estimated_honestly(position, advisers, says):
    assert says in wait_estimate(position, advisers)


def test_messages_are_kept_in_order_without_card_numbers(live):
    case = chat(live)
    live.post(case, "resident", "hello, my card is 4111 1111 1111 1111")
    live.post(case, "adviser", "Please don't share that.", author="Asha")
    first, second = live.messages(case.reference)
    assert "4111" not in first.text and "[card number removed]" in first.text
    assert (second.sender, second.author) == ("adviser", "Asha")
    assert [m.id for m in live.messages(case.reference, after=first.id)] == [second.id]
    assert [m.text for m in live.for_conversation("resident-1")] == [first.text, second.text]


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_huge_messages_are_refused(live, text):
    with pytest.raises(LiveChatError):
        live.post(chat(live), "resident", text)


def test_a_closed_chat_takes_no_more_messages(live):
    case = chat(live)
    live.handoffs.claim(case.reference, "asha")
    live.handoffs.record_outcome(case.reference, "resolved", "asha")
    with pytest.raises(LiveChatError, match="ended"):
        live.post(case, "resident", "hello?")
    assert live.post(case, "system", "The adviser has closed the chat.").sender == "system"


def test_a_chat_nobody_picks_up_in_time_is_given_up(live):
    case = chat(live)
    assert live.given_up(case, now=case.created_at + QUEUE_TIMEOUT - timedelta(seconds=1)) is None
    assert live.given_up(case, now=case.created_at + QUEUE_TIMEOUT + timedelta(seconds=1))
    ended = live.handoffs.give_up(case.reference, "Nobody was free to chat in time.")
    assert ended.status == "unable_to_contact" and ended.events[-1].detail == "Nobody was free to chat in time."
    assert live.open_chat("resident-1") is None


def test_an_adviser_who_stops_checking_in_is_treated_as_gone(live):
    case = live.handoffs.claim(chat(live).reference, "asha")
    now = datetime.now(timezone.utc)
    live.adviser_here(case.reference, now=now)
    assert live.given_up(case, now=now + ADVISER_GONE - timedelta(seconds=1)) is None
    assert live.given_up(case, now=now + ADVISER_GONE + timedelta(seconds=1)) == "The adviser was disconnected."
    live.adviser_here(case.reference, now=now + ADVISER_GONE)
    assert live.given_up(case, now=now + ADVISER_GONE + timedelta(seconds=1)) is None


def test_a_check_in_from_before_the_chat_was_reclaimed_does_not_count_against_the_new_adviser(live):
    case = live.handoffs.claim(chat(live).reference, "asha")
    now = datetime.now(timezone.utc)
    live.adviser_here(case.reference, now=now - ADVISER_GONE * 3)  # asha, long ago
    live.handoffs.release(case.reference, "asha")
    reclaimed = live.handoffs.claim(case.reference, "ben", now=now)
    assert live.given_up(reclaimed, now=now + timedelta(seconds=5)) is None
