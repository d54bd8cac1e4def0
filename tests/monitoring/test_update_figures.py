"""Automatic-update figures (issue 17): the events' fixed vocabularies; updates chosen, sent and
failed joined to the conversation the reference came from; no-shows with and without a reminder
(older no-shows without a value still load and count); asking for news with and without updates;
and the dashboard's tables under the usual disclosure control."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from monitoring.disclosure import SUPPRESSED
from monitoring.events import (
    NO_SHOW_REMINDERS,
    STATUS_ASKED_STATES,
    UPDATE_CHOICES,
    UPDATE_SENT_CHANNELS,
    InvalidEvent,
    OutcomeEvent,
    keyed_hash,
)
from monitoring.events import EventKind as E
from monitoring.facts import facts_of
from monitoring.measures import COUNTERS, UPDATE_COUNTERS, contribution
from monitoring.metric_values import Counts, Filters, read_period
from monitoring.recorder import Outcomes
from monitoring.refresh import rebuild, refresh
from monitoring.seed import seed
from monitoring.update_tables import (
    reminders_table,
    status_asked_table,
    update_tables,
    updates_chosen_table,
    updates_sent_table,
)
from routing.updates import UPDATE_CHANNELS
from tests.monitoring import test_refresh

SECRET = b"update figures tests"
engine, outcomes = test_refresh.engine, test_refresh.outcomes  # fixtures: monitoring tables emptied, a recorder
MONDAY_10AM = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
WHOLE_MONTH = Filters(date(2026, 11, 1), date(2026, 11, 30))
CASE = keyed_hash(SECRET, "case:SCC-7KQ4XH")


def test_the_update_vocabularies_are_the_agreed_ones():
    assert UPDATE_CHOICES == UPDATE_CHANNELS == ("text", "email", "letter", "none")
    assert UPDATE_SENT_CHANNELS == ("text", "email", "letter")
    assert STATUS_ASKED_STATES == ("updates_on", "no_updates")
    assert NO_SHOW_REMINDERS == ("reminded", "not_reminded")


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [(E.UPDATES_CHOSEN, "none", "07700 900123"), (E.UPDATE_SENT, "letter", "none"),
     (E.UPDATE_FAILED, "email", "jo@example.org"), (E.STATUS_ASKED, "updates_on", "SCC-7KQ4XH"),
     (E.NO_SHOW, "not_reminded", "forgot")],
)  # fmt: skip
def test_update_events_take_only_their_fixed_values_never_a_contact(kind, good, bad):
    OutcomeEvent(kind, resident_key=CASE, case_key=CASE, value=good)
    with pytest.raises(InvalidEvent):
        OutcomeEvent(kind, resident_key=CASE, case_key=CASE, value=bad)


def test_an_older_no_show_without_a_value_still_loads_and_counts_as_a_no_show_of_unknown_reminder():
    conversation = keyed_hash(SECRET, "conversation:1")
    row = {
        "id": 7, "event_id": "a" * 32, "kind": "no_show", "at": "2026-11-02T10:00:00", "resident_key": CASE,
        "conversation_key": None, "case_key": CASE, "entry_channel": None, "intent": None, "service": None,
        "category": None, "handoff_channel": "gateway", "in_hours": None, "value": None,
    }  # fmt: skip
    no_show = OutcomeEvent.from_row(row)
    accepted = OutcomeEvent(
        E.HANDOFF_ACCEPTED, resident_key=CASE, conversation_key=conversation, case_key=CASE, at=MONDAY_10AM,
        handoff_channel="gateway",
    )  # fmt: skip
    facts = facts_of(conversation, [accepted, no_show])
    assert facts.outcome == "handed_off_unresolved" and facts.no_show == "unknown"
    counted = contribution(facts)
    assert not [name for name in counted if name.startswith(("booked_", "no_show_"))]  # neither group


def said(outcomes: Outcomes, resident: str, kind: E, minutes: float = 0, session: str = "s1", **fields) -> None:
    """What the assistant records in the resident's conversation."""
    at = MONDAY_10AM + timedelta(minutes=minutes)
    outcomes.record(resident, kind, session=session, at=at, **fields)


def staff_did(outcomes: Outcomes, kind: E, reference: str, days: float, value: str | None = None, **fields) -> None:
    """What the web app and the Notify sender record about a case (keyed by its reference only)."""
    outcomes.record(reference, kind, case=reference, at=MONDAY_10AM + timedelta(days=days), value=value, **fields)


def booked_visit(outcomes: Outcomes, resident: str, reference: str, chose: str) -> None:
    said(outcomes, resident, E.CONVERSATION_STARTED, entry_channel="web")
    said(outcomes, resident, E.HANDOFF_ACCEPTED, case=reference, handoff_channel="gateway")
    said(outcomes, resident, E.UPDATES_CHOSEN, case=reference, value=chose)


def updates(engine) -> dict[str, int]:
    refresh(engine)
    with engine.connect() as connection:
        totals = read_period(connection, WHOLE_MONTH).totals
    return {name: totals[name] for name in (*UPDATE_COUNTERS, "conversations") if totals[name]}


def test_updates_and_reminders_join_the_conversation_the_booking_was_made_in(engine, outcomes):
    booked_visit(outcomes, "resident-a", "SCC-7KQ4XH", chose="text")
    staff_did(outcomes, E.UPDATE_SENT, "SCC-7KQ4XH", days=1, value="text")  # the reminder
    staff_did(outcomes, E.NO_SHOW, "SCC-7KQ4XH", days=2, value="reminded", handoff_channel="gateway")
    booked_visit(outcomes, "resident-b", "SCC-9MN3PW", chose="none")
    staff_did(outcomes, E.NO_SHOW, "SCC-9MN3PW", days=2, value="not_reminded", handoff_channel="gateway")
    booked_visit(outcomes, "resident-c", "SCC-4RT8YU", chose="email")  # came to the visit
    staff_did(outcomes, E.UPDATE_FAILED, "SCC-4RT8YU", days=1, value="email")
    assert updates(engine) == {
        "conversations": 3,  # the staff and sender events made no conversation of their own
        "chose_none_text": 1, "chose_all_text": 1, "chose_none_email": 1, "chose_all_email": 1,
        "chose_none_none": 1, "chose_all_none": 1,
        "update_sent_text": 1, "update_tried_text": 1, "update_failed_email": 1, "update_tried_email": 1,
        "booked_reminded": 2, "no_show_reminded": 1, "booked_not_reminded": 1, "no_show_not_reminded": 1,
    }  # fmt: skip


def test_an_update_about_a_change_joins_through_the_choice_and_a_need_counts_the_choice_in_its_group(
    engine, outcomes
):  # fmt: skip
    said(outcomes, "resident-a", E.CONVERSATION_STARTED, entry_channel="web")
    said(outcomes, "resident-a", E.SUPPORT_NEED_DETECTED, category="digital_exclusion")
    said(outcomes, "resident-a", E.UPDATES_CHOSEN, case="SCC-2WE5RT", value="letter")  # a change: no other opener
    staff_did(outcomes, E.UPDATE_SENT, "SCC-2WE5RT", days=3, value="letter")
    assert updates(engine) == {
        "conversations": 1, "chose_digital_exclusion_letter": 1, "chose_all_letter": 1,
        "update_sent_letter": 1, "update_tried_letter": 1,
    }  # fmt: skip


def test_asking_for_news_counts_in_the_conversation_that_asks_with_or_without_updates(engine, outcomes):
    said(outcomes, "resident-a", E.CONVERSATION_STARTED, entry_channel="web")
    said(outcomes, "resident-a", E.REPORT_CREATED, case="SCC-7KQ4XH", intent="report_issue", service="pothole")
    said(outcomes, "resident-a", E.UPDATES_CHOSEN, case="SCC-7KQ4XH", value="none")
    said(outcomes, "resident-a", E.CONVERSATION_STARTED, minutes=600, session="s2", entry_channel="web")
    said(outcomes, "resident-a", E.STATUS_ASKED, minutes=601, session="s2", case="SCC-7KQ4XH", value="no_updates")
    said(outcomes, "resident-b", E.CONVERSATION_STARTED, entry_channel="web")
    said(outcomes, "resident-b", E.STATUS_ASKED, case="SCC-9MN3PW", value="updates_on")
    before = updates(engine)
    assert before == {
        "conversations": 3, "chose_none_none": 1, "chose_all_none": 1,
        "status_asked_no_updates": 1, "status_asked_updates_on": 1,
    }  # fmt: skip
    rebuild(engine)
    assert updates(engine) == before


def test_a_seeded_history_has_every_kind_of_update_figure(engine):
    seed(engine, 3000, days=30, end=datetime(2026, 11, 28, tzinfo=timezone.utc), progress=False)
    totals = updates(engine)
    expected = (
        "chose_all_text", "chose_all_email", "chose_all_letter", "chose_all_none", "update_sent_text",
        "booked_reminded", "booked_not_reminded", "no_show_not_reminded", "status_asked_no_updates",
    )  # fmt: skip
    for name in expected:
        assert totals.get(name, 0) > 0, name


def _totals(**given: int) -> Counts:
    return dict.fromkeys(COUNTERS, 0) | given


def _rows(table) -> dict[str, tuple[str, ...]]:
    return {row[0]: row for row in table.rows}


def test_every_update_table_is_protected_text_with_no_count_from_1_to_9():
    totals = _totals(
        chose_all_text=62, chose_all_email=3, chose_all_letter=20, chose_all_none=41, chose_older_age_text=12,
        chose_older_age_letter=8, update_sent_text=55, update_failed_text=4, update_tried_text=58,
        booked_reminded=100, no_show_reminded=4, booked_not_reminded=80, no_show_not_reminded=12,
        status_asked_updates_on=7, status_asked_no_updates=30,
    )  # fmt: skip
    for table in update_tables(totals):
        cells = [cell for row in table.rows for cell in row[1:]]
        assert not [cell for cell in cells if re.fullmatch(r"[1-9]", cell)], table.key
        assert SUPPRESSED in cells, table.key


def test_a_small_choice_is_hidden_with_another_so_the_residents_asked_do_not_give_it_away():
    rows = _rows(updates_chosen_table(_totals(chose_all_text=62, chose_all_email=3, chose_all_letter=20,
                                              chose_all_none=41)))  # fmt: skip
    everyone = rows["All residents asked"]
    assert everyone[1] == "125"  # 126 asked, rounded
    assert everyone[3] == SUPPRESSED and list(everyone[2:6]).count(SUPPRESSED) >= 2
    assert everyone[6] == SUPPRESSED  # chose updates would give the small email count away
    older = rows["Older age"]
    assert older[1:] == ("0", "0", "0", "0", "0", "no data")  # nobody with that need asked


def test_sent_failed_no_shows_and_asks_are_rounded_with_rates_hidden_over_small_counts():
    sent_counts = _totals(update_sent_text=55, update_failed_text=4, update_tried_text=58, update_sent_email=40,
                          update_failed_email=12, update_tried_email=50)  # fmt: skip
    sent = _rows(updates_sent_table(sent_counts))
    assert sent["Text message"][1:] == ("55", SUPPRESSED, SUPPRESSED)
    assert sent["Email"][1:] == ("40", "10", "20%")
    reminders = _rows(reminders_table(_totals(booked_reminded=100, no_show_reminded=4, booked_not_reminded=80,
                                              no_show_not_reminded=12)))  # fmt: skip
    assert reminders["With a reminder"][1:] == ("100", SUPPRESSED, SUPPRESSED)
    assert reminders["Without a reminder"][1:] == ("80", "10", "12%")  # 10 of 80, from rounded counts
    asked = _rows(status_asked_table(_totals(chose_all_text=60, status_asked_updates_on=7, chose_all_none=41,
                                             status_asked_no_updates=30)))  # fmt: skip
    assert asked["Updates on"][1:] == ("60", SUPPRESSED, SUPPRESSED)
    assert asked["No updates"][1:] == ("40", "30", "75%")
