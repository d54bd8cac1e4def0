"""Handing over to a person, whole conversations over real HTTP against the running assistant.

The assistant here runs with every channel open all day (tests/fixtures/channels_always_open.yml),
so these tests do not depend on the time they run. Opening hours, bank holidays and the first offer
at 9pm on a bank holiday are covered with a set clock in tests/actions/test_handoff.py.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any

import pytest

from routing.hours import load_schedule
from routing.references import find_reference
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from tests.conftest import ALWAYS_OPEN, Assistant
from tests.databases import ADVISER, adviser_taking_chats, make_test_staff
from tests.http import say, texts

pytestmark = pytest.mark.server


def store(assistant: Assistant) -> HandoffStore:
    return HandoffStore(open_engine(assistant.database_url), load_schedule(ALWAYS_OPEN))


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons") or []]


def choice(payload: str) -> dict[str, str]:
    return dict(json.loads(payload[payload.index("{") :]))


def book(assistant: Assistant, sender: str, channel_payload: str, number: str | None = None) -> str:
    """Choose a way, give a number if asked, take the first time offered; the reference given."""
    replies = say(assistant.rasa_url, sender, channel_payload)
    if number is not None:
        assert "What number should we call you on?" in texts(replies)
        replies = say(assistant.rasa_url, sender, number)
    slots = [p for p in payloads(replies) if p.startswith("/inform")]
    assert slots, texts(replies)
    done = texts(say(assistant.rasa_url, sender, slots[0]))
    reference = find_reference(done).reference
    assert reference, done
    return reference


def test_asking_for_a_person_offers_ways_as_buttons_with_reasons(assistant: Assistant) -> None:
    replies = say(assistant.rasa_url, "handoff-offer", "can i speak to an actual person please")
    assert "Which would you like?" in texts(replies)
    choices = [p for p in payloads(replies) if p.startswith("/request_human{")]
    assert len(choices) >= 2
    assert re.search(r"^1\. .+\n2\. .+", texts(replies), re.MULTILINE)


def test_a_call_back_is_booked_with_a_reference_and_a_window(assistant: Assistant) -> None:
    sender = "handoff-callback"
    say(assistant.rasa_url, sender, "can someone ring me back about my council tax")
    reference = book(assistant, sender, '/request_human{"channel":"phone","mode":"callback"}', "07912 345678")
    case = store(assistant).get(reference)
    assert (case.channel, case.mode, case.callback_number) == ("phone", "callback", "+447912345678")
    assert case.slot_start is not None and case.sla_due_at == case.slot_end


def test_a_bad_number_is_explained_and_asked_again(assistant: Assistant) -> None:
    sender = "handoff-bad-number"
    say(assistant.rasa_url, sender, "i need to talk to someone")
    say(assistant.rasa_url, sender, '/request_human{"channel":"phone","mode":"callback"}')
    again = texts(say(assistant.rasa_url, sender, "0900 123 4567"))
    assert "cannot call that kind of number" in again and "What number should we call you on?" in again


def test_a_gateway_appointment_then_rebook_then_cancel(assistant: Assistant) -> None:
    sender = "handoff-gateway"
    say(assistant.rasa_url, sender, "i'd rather come in and see someone")
    reference = book(assistant, sender, '/request_human{"channel":"gateway","mode":"appointment"}')
    first = store(assistant).get(reference).slot_start

    status = say(assistant.rasa_url, sender, f"any update on {reference}")
    assert "waiting for an adviser" in texts(status)
    rebook = next(p for p in payloads(status) if p.startswith("/rebook_handoff"))
    times = [p for p in payloads(say(assistant.rasa_url, sender, rebook)) if p.startswith("/inform")]
    later = next(p for p in times if choice(p)["slot_key"] != first.strftime("%Y-%m-%dT%H:%M"))
    moved = texts(say(assistant.rasa_url, sender, later))
    assert moved.startswith("Done.")
    assert store(assistant).get(reference).slot_start != first

    cancelled = texts(say(assistant.rasa_url, sender, f"please cancel {reference}, i don't need it"))
    assert f"I have cancelled {reference}" in cancelled
    assert store(assistant).get(reference).status == "cancelled"


def test_live_webchat_joins_the_queue_when_someone_is_taking_chats(assistant: Assistant) -> None:
    adviser_taking_chats(assistant.database_url)
    sender = "handoff-webchat"
    offer = say(assistant.rasa_url, sender, "can i talk to a person")
    assert any(choice(p)["channel"] == "webchat" for p in payloads(offer) if p.startswith("/request_human{"))
    joined = texts(say(assistant.rasa_url, sender, '/request_human{"channel":"webchat","mode":"live"}'))
    assert "in the queue" in joined and "The wait is about" in joined and find_reference(joined).reference
    assert say(assistant.rasa_url, sender, "hello? is anyone there") == []  # the bot is paused: a person has it


def test_no_internet_gets_the_phone_first_and_deaf_is_never_told_to_ring(assistant: Assistant) -> None:
    no_internet = "handoff-no-internet"
    say(assistant.rasa_url, no_internet, "i don't have the internet at home")
    say(assistant.rasa_url, no_internet, "no thanks")
    first = next(
        p
        for p in payloads(say(assistant.rasa_url, no_internet, "can i talk to someone"))
        if p.startswith("/request_human{")
    )
    assert choice(first)["channel"] == "phone"

    deaf = "handoff-deaf"
    say(assistant.rasa_url, deaf, "i'm deaf and can't use the phone")
    say(assistant.rasa_url, deaf, "yes")
    offer = say(assistant.rasa_url, deaf, "can i talk to someone")
    assert "Call us on" not in texts(offer) and "call you back" not in texts(offer)
    first = next(p for p in payloads(offer) if p.startswith("/request_human{"))
    assert choice(first)["channel"] in ("webchat", "gateway")


def test_a_script_typed_by_a_resident_reaches_staff_as_plain_text(assistant: Assistant) -> None:
    sender = "handoff-script"
    say(assistant.rasa_url, sender, "<script>alert('hi')</script>")
    say(assistant.rasa_url, sender, "can i talk to a person")
    reference = book(assistant, sender, '/request_human{"channel":"gateway","mode":"appointment"}')

    make_test_staff(assistant.database_url)
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = browser.open(f"{assistant.web_url}/staff/sign-in").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode({"csrf_token": token, "username": ADVISER[0], "password": ADVISER[1]})
    browser.open(f"{assistant.web_url}/staff/sign-in", data=form.encode())
    html = browser.open(f"{assistant.web_url}/staff/cases/{reference}").read().decode()
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Resident:" in html
