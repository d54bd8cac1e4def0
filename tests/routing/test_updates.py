"""The update rules: contacts checked with the maintained libraries, which event sends which
message, when reminders are due, and message words that hold only a reference, a service and a time."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import textstat

from routing.catalogue import default_catalogue
from routing.updates import (
    MESSAGE_KINDS,
    MESSAGES,
    PERSONALISATION,
    ContactError,
    check_contact,
    letter_address,
    message_text,
    messages_for,
    personalisation,
    reminder_for,
    when_text,
)
from tests.test_plain_english import MIN_READING_EASE, readable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("07700 900123", "+447700900123"), ("+44 7700 900123", "+447700900123"), ("(07700) 900-123", "+447700900123")],
)
def test_a_uk_mobile_is_kept_in_e164(raw, expected):
    assert check_contact("text", raw) == expected


@pytest.mark.parametrize("raw", ["023 8083 3000", "0770090012", "+33 6 12 34 56 78", "call me", ""])
def test_a_landline_a_foreign_or_a_broken_number_is_refused_politely(raw):
    with pytest.raises(ContactError, match="UK mobile number"):
        check_contact("text", raw)


def test_an_email_address_is_checked_without_looking_it_up():
    assert check_contact("email", "  Resident@Example.org ") == "Resident@example.org"
    for raw in ("resident at example.org", "resident@", "@example.org"):
        with pytest.raises(ContactError, match="email address"):
            check_contact("email", raw)


def test_a_postal_address_ends_in_its_postcode_on_its_own_line():
    assert check_contact("letter", "Flat 2, 1 High Street, Southampton so147ly") == (
        "Flat 2\n1 High Street\nSouthampton\nSO14 7LY"
    )
    assert letter_address("1 High Street\nSouthampton\nSO14 7LY") == {
        "address_line_1": "1 High Street", "address_line_2": "Southampton", "address_line_3": "SO14 7LY",
    }  # fmt: skip
    with pytest.raises(ContactError, match="postcode"):
        check_contact("letter", "1 High Street, Southampton")
    with pytest.raises(ContactError, match="2 to 6 lines"):
        check_contact("letter", "SO14 7LY")
    with pytest.raises(ContactError, match="2 to 6 lines"):
        check_contact("letter", "a\nb\nc\nd\ne\nf\ng\nSO14 7LY")


def test_no_other_channel_is_accepted():
    with pytest.raises(ContactError):
        check_contact("pigeon", "x")


# Which event sends what (to the resident who chose updates for the event's reference).
RULES = [
    ("report.created", {"stage": "received"}, ()),
    ("report.updated", {"stage": "in_progress"}, ("report_updated",)),
    ("report.updated", {"stage": "closed"}, ()),  # its report.closed says so
    ("report.closed", {"stage": "closed"}, ("report_closed",)),
    ("case.created", {"mode": "callback", "trigger": "asked"}, ()),
    ("case.created", {"mode": "change", "trigger": "change"}, ("change_recorded",)),
    ("case.claimed", {"mode": "callback", "trigger": "asked"}, ("case_claimed",)),
    ("case.claimed", {"mode": "change", "trigger": "change"}, ()),  # it said "recorded" already
    ("case.contact_made", {"mode": "callback"}, ()),
    ("case.resolved", {"mode": "appointment", "trigger": "asked"}, ("case_resolved",)),
    ("case.closed", {"mode": "callback", "status": "resolved"}, ()),
    ("case.claimed", {"mode": "emergency", "trigger": "safeguarding"}, ()),  # never to someone at risk
    ("case.resolved", {"mode": "callback", "trigger": "safeguarding"}, ()),
]


@pytest.mark.parametrize(("event_type", "data", "kinds"), RULES)
def test_the_update_rules(event_type, data, kinds):
    assert messages_for(event_type, data) == kinds


def test_reminders_come_from_8am_on_the_day_for_a_call_back_and_the_day_before_for_a_visit():
    start, end = datetime(2026, 12, 8, 10, 0), datetime(2026, 12, 8, 12, 0)
    assert reminder_for("callback", start, end, datetime(2026, 12, 8, 7, 59)) is None
    reminder = reminder_for("callback", start, end, datetime(2026, 12, 8, 8, 0))
    assert reminder is not None and reminder.kind == "callback_today"
    assert reminder_for("callback", start, end, datetime(2026, 12, 8, 12, 0)) is None  # the window is over
    assert reminder_for("callback", start, end, datetime(2026, 12, 7, 9, 0)) is None
    visit = reminder_for("appointment", start, None, datetime(2026, 12, 7, 9, 0))
    assert visit is not None and visit.kind == "appointment_tomorrow"
    assert reminder_for("appointment", start, None, datetime(2026, 12, 8, 9, 0)) is None
    assert when_text(start, end) == "on Tuesday 8 December between 10am and 12 noon"
    assert when_text(start) == "on Tuesday 8 December at 10am"


@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_each_message_holds_only_the_reference_the_service_and_the_time(kind):
    assert set(re.findall(r"\(\((\w+)\)\)", MESSAGES[kind])) <= set(PERSONALISATION)
    fields = personalisation("HX4K7P2Q", "Missed bin collections", "tomorrow at 10am")
    text = message_text(kind, fields, {"address": "Civic Centre, SO14 7LY", "bring": "your reference"})
    assert "HX4K7P2Q" in text and "((" not in text and "{" not in text
    assert all(len(sentence.split()) <= 20 for sentence in text.split(". "))  # short, plain sentences


def test_the_appointment_reminder_says_where_and_what_to_bring():
    fields = personalisation("HX4K7P2Q", "Council Tax", "tomorrow at 10:30am")
    text = message_text("appointment_tomorrow", fields, {"address": "Civic Centre, SO14 7LY", "bring": "photo ID"})
    assert "tomorrow at 10:30am, at Civic Centre, SO14 7LY" in text and "Please bring photo ID." in text


def test_every_message_and_every_contact_problem_reads_easily():
    fields = personalisation("HX4K7P2Q", "missed bin collections", "today at 2:30pm")
    gateway = default_catalogue().council["gateway"]
    texts = [message_text(kind, fields, gateway) for kind in MESSAGE_KINDS]
    for channel, raw in (("text", "123"), ("email", "x@"), ("letter", "x"), ("letter", "SO14 7LY"), ("fax", "1")):
        with pytest.raises(ContactError) as problem:
            check_contact(channel, raw)
        texts.append(str(problem.value))
    hard = [text for text in texts if textstat.flesch_reading_ease(readable(text)) < MIN_READING_EASE]
    assert hard == []
