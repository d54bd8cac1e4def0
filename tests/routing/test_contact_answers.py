"""The questions everyone asks, answered from the catalogue and the council's real opening hours."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from routing.catalogue import load_catalogue
from routing.contact_answers import ContactQuestion, contact_answer, opening_now
from routing.hours import load_schedule

CATALOGUE = load_catalogue()
SCHEDULE = load_schedule()
TUESDAY_11 = datetime(2026, 12, 8, 11, 0, tzinfo=timezone.utc)
SATURDAY_EVENING = datetime(2026, 12, 5, 19, 30, tzinfo=timezone.utc)
FRIDAY_6PM = datetime(2026, 12, 11, 18, 0, tzinfo=timezone.utc)


def said(replies: list) -> str:  # type: ignore[type-arg]
    return " ".join(reply.text for reply in replies)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (TUESDAY_11, "We are open now, until 5pm."),
        (SATURDAY_EVENING, "We are closed now. We open again on Monday 7 December at 9am."),
        (FRIDAY_6PM, "We are closed now. We open again on Monday 14 December at 9am."),
        (datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc), "We are closed now. We open again today at 9am."),
        (datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc), "We are closed now. We open again on Tuesday 29 December"),
    ],
)
def test_whether_anyone_is_there_now(now: datetime, expected: str) -> None:
    assert opening_now(SCHEDULE, now).startswith(expected)


@pytest.mark.parametrize(  # fmt: skip
    ("text", "service", "now", "chat_now", "must_say", "must_not_say"),
    [
        ("whats the council number", None, TUESDAY_11, True, ["023 8083 3000", "open now", "chat"], ["023 8023 3344"]),
        ("council phone no", None, SATURDAY_EVENING, False, ["023 8083 3000", "closed now", "023 8023 3344"], ["chat"]),
        ("number for council tax", "council_tax", TUESDAY_11, False, ["023 8083 3003", "Monday to Friday"], []),
        ("where is the gateway", "gateway", TUESDAY_11, False, ["Civic Centre Road", "SO14 7LY", "023 8083 3000"], []),
        ("im deaf whats your textphone number", None, TUESDAY_11, False, ["18001 023 8083 3000"], []),
        ("whats your email", None, SATURDAY_EVENING, False, ["do not take requests by email", "023 8023 3344"], []),
    ],
)
def test_contact_questions(
    text: str, service: str | None, now: datetime, chat_now: bool, must_say: list[str], must_not_say: list[str]
) -> None:
    replies = contact_answer(ContactQuestion.read(text, CATALOGUE.get(service)), CATALOGUE, SCHEDULE, now, chat_now)
    assert 1 <= len(replies) <= 3
    for words in must_say:
        assert words in said(replies)
    for words in must_not_say:
        assert words not in said(replies)
