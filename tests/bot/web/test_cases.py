"""The case service: every change to a case records its outcome events, refuses what cannot be done
with nothing changed, and a live chat that ends, however it ends, gives the resident the bot back.

A real store on a real database (SQLite and PostgreSQL); the outcome recorder and the Rasa server
are stand-ins that keep what they were given.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.web.cases import (
    BACK_TO_THE_ASSISTANT,
    CHAT_CLOSED,
    LEFT_THE_QUEUE,
    NOBODY_FREE_BUTTONS,
    CaseService,
    case_reference,
)
from bot.web.rasa_client import RasaClient, RasaUnavailable
from monitoring.events import EventKind
from routing.handoffs import AlreadyClaimed, CaseNotFound, HandoffError, NewHandoff, NotYours
from routing.hours import load_schedule
from routing.live_chat import QUEUE_TIMEOUT, LiveChatError
from routing.menu import menu_buttons
from storage.handoffs import HandoffStore, handoff_cases
from storage.live_chat import LiveChats
from storage.staff import StaffUser
from tests.conftest import ALWAYS_OPEN

ASHA = StaffUser("asha", "Asha", "staff", True)
BEN = StaffUser("ben", "Ben", "staff", True)
MORGAN = StaffUser("morgan", "Morgan", "manager", False)
CHAT_ID = "resident-1"


class KeptOutcomes:
    """Keeps each outcome event as (kind, value)."""

    def __init__(self) -> None:
        self.events: list[tuple[EventKind, str | None]] = []

    def record(self, sender_id: str, kind: EventKind, case: str | None = None, **fields: Any) -> None:
        assert sender_id == CHAT_ID and case is not None
        self.events.append((kind, fields.get("value")))


class KeptRasa(RasaClient):
    """Keeps the events added to each conversation (or is down)."""

    def __init__(self) -> None:
        super().__init__(None, "http://rasa.invalid", "http://actions.invalid", "token")  # type: ignore[arg-type]
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.down = False

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        if self.down:
            raise RasaUnavailable("down")
        self.events.setdefault(sender, []).extend(events)

    def resumed_with(self, sender: str) -> list[tuple[str, list[str]]]:
        """What the resident was told when the bot was resumed: (text, button titles)."""
        events = self.events.get(sender, [])
        return [
            (after["text"], [b["title"] for b in after["data"]["buttons"]])
            for event, after in zip(events, events[1:], strict=False)
            if event["event"] == "resume"
        ]


@pytest.fixture
def service(engine: Any) -> tuple[CaseService, KeptOutcomes, KeptRasa, LiveChats]:
    store = HandoffStore(engine, load_schedule(ALWAYS_OPEN))
    live = LiveChats(engine, store)
    outcomes, rasa = KeptOutcomes(), KeptRasa()
    return CaseService(store, outcomes, rasa, live), outcomes, rasa, live  # type: ignore[arg-type]


MAIN_MENU = [button["title"] for button in menu_buttons()]  # a resident handed back can start anything


def new_case(cases: CaseService, channel: str = "webchat", mode: str = "live") -> str:
    return cases.store.create(
        NewHandoff(channel=channel, mode=mode, trigger="asked", conversation_id=CHAT_ID)
    ).reference


def system_messages(live: LiveChats, reference: str) -> list[str]:
    return [m.text for m in live.messages(reference) if m.sender == "system"]


def test_a_reference_is_read_from_what_was_typed_or_the_case_is_not_found() -> None:
    assert case_reference("scc-7kq4xh") == "SCC-7KQ4XH"
    with pytest.raises(CaseNotFound):
        case_reference("'; DROP TABLE--")


async def test_a_claim_is_recorded_once_and_a_second_claim_is_refused(service):
    cases, outcomes, _, _ = service
    reference = new_case(cases, "phone", "call_now")
    assert (await cases.claim(reference, ASHA)).claimed_by == "asha"
    with pytest.raises(AlreadyClaimed):
        await cases.claim(reference, BEN)
    assert outcomes.events == [(EventKind.HANDOFF_CLAIMED, None)]
    assert cases.get(reference).claimed_by == "asha"


async def test_closing_a_live_chat_tells_the_resident_and_resumes_the_bot(service):
    cases, outcomes, rasa, live = service
    reference = new_case(cases)
    await cases.claim(reference, ASHA)
    closed = await cases.close(reference, "resolved", ASHA, note="Sorted.")
    assert closed.status == "resolved"
    assert system_messages(live, reference) == [CHAT_CLOSED]
    assert rasa.resumed_with(CHAT_ID) == [(CHAT_CLOSED, MAIN_MENU)]
    assert rasa.events[CHAT_ID][-1] == {"event": "action", "name": "action_listen"}
    assert outcomes.events == [
        (EventKind.HANDOFF_CLAIMED, None),
        (EventKind.CONTACT_MADE, "on_time"),
        (EventKind.RESOLVED, None),
    ]


async def test_closing_a_case_that_is_not_a_live_chat_leaves_the_conversation_alone(service):
    cases, outcomes, rasa, live = service
    reference = new_case(cases, "phone", "callback")
    await cases.claim(reference, ASHA)
    await cases.close(reference, "unable_to_contact", ASHA)
    assert rasa.events == {} and live.messages(reference) == []
    assert outcomes.events[-1] == (EventKind.UNABLE_TO_CONTACT, None)


async def test_a_live_chat_still_ends_for_the_resident_when_rasa_is_down(service):
    cases, _, rasa, live = service
    reference = new_case(cases)
    await cases.claim(reference, ASHA)
    rasa.down = True
    assert (await cases.close(reference, "resolved", ASHA)).status == "resolved"
    assert system_messages(live, reference) == [CHAT_CLOSED]


async def test_only_the_holder_or_a_manager_can_release_or_close(service):
    cases, outcomes, rasa, live = service
    reference = new_case(cases)
    await cases.claim(reference, BEN)
    for change in (cases.release(reference, ASHA), cases.close(reference, "resolved", ASHA)):
        with pytest.raises(NotYours):
            await change
    assert cases.get(reference).status == "claimed" and rasa.events == {} and live.messages(reference) == []
    assert (await cases.close(reference, "resolved", MORGAN)).status == "resolved"
    assert outcomes.events[-1] == (EventKind.RESOLVED, None)


async def test_an_unknown_outcome_or_an_empty_note_is_refused(service):
    cases, outcomes, _, _ = service
    reference = new_case(cases, "phone", "call_now")
    await cases.claim(reference, ASHA)
    with pytest.raises(HandoffError):
        await cases.close(reference, "vanished", ASHA)
    with pytest.raises(HandoffError):
        await cases.add_note(reference, ASHA, "   ")
    assert [event.action for event in cases.get(reference).events] == ["created", "claimed"]
    assert outcomes.events == [(EventKind.HANDOFF_CLAIMED, None)]


async def test_the_first_adviser_message_is_contact_and_the_holder_hands_back(service):
    cases, outcomes, rasa, live = service
    reference = new_case(cases)
    await cases.claim(reference, ASHA)
    with pytest.raises(NotYours, match="Claim this chat before you reply"):
        await cases.adviser_says(reference, BEN, "Hello")
    with pytest.raises(LiveChatError):
        await cases.adviser_says(reference, ASHA, "   ")
    for text in ("Hello, I am Asha.", "How can I help?"):
        await cases.adviser_says(reference, ASHA, text)
    # Her first name is her login name, which residents are never shown.
    assert [e["metadata"] for e in rasa.events[CHAT_ID]] == [{"adviser": "Adviser"}, {"adviser": "Adviser"}]
    with pytest.raises(NotYours, match="Only the adviser holding this chat"):
        await cases.hand_back(reference, BEN)
    await cases.hand_back(reference, ASHA)
    assert system_messages(live, reference) == [BACK_TO_THE_ASSISTANT]
    assert rasa.resumed_with(CHAT_ID) == [(BACK_TO_THE_ASSISTANT, MAIN_MENU)]
    assert outcomes.events[1:] == [(EventKind.CONTACT_MADE, "on_time"), (EventKind.RESOLVED, None)]
    with pytest.raises(HandoffError, match="Only the adviser holding this chat"):
        await cases.hand_back(reference, ASHA)  # already over


async def test_a_chat_nobody_picks_up_ends_with_a_call_back_offered(service, engine):
    cases, outcomes, rasa, live = service
    reference = new_case(cases)
    assert await cases.end_if_unanswered(cases.get(reference)) == cases.get(reference)  # not yet
    long_ago = cases.get(reference).created_at - QUEUE_TIMEOUT - timedelta(minutes=1)
    with engine.begin() as connection:
        connection.execute(
            update(handoff_cases).where(handoff_cases.c.reference == reference).values(updated_at=long_ago)
        )
    ended = await cases.end_if_unanswered(cases.get(reference))
    assert ended.status == "unable_to_contact"
    assert outcomes.events == [(EventKind.ABANDONED, "queue"), (EventKind.UNABLE_TO_CONTACT, None)]
    [(told, buttons)] = rasa.resumed_with(CHAT_ID)
    assert told.startswith("Sorry. Nobody was free") and buttons == [b["title"] for b in NOBODY_FREE_BUTTONS]
    assert system_messages(live, reference) == [told]


async def test_a_resident_who_stops_waiting_gets_the_bot_back_but_not_from_an_adviser(service):
    cases, outcomes, rasa, live = service
    waiting, taken = new_case(cases), new_case(cases)
    await cases.claim(taken, ASHA)
    assert (await cases.resident_leaves(cases.get(taken))).status == "claimed"
    assert (await cases.resident_leaves(cases.get(waiting))).status == "cancelled"
    assert outcomes.events == [(EventKind.HANDOFF_CLAIMED, None), (EventKind.ABANDONED, "queue")]
    assert rasa.resumed_with(CHAT_ID) == [(LEFT_THE_QUEUE, [b["title"] for b in NOBODY_FREE_BUTTONS])]
    assert system_messages(live, waiting) == [LEFT_THE_QUEUE] and live.messages(taken) == []
