"""The rules of the reports queue: the stages, where each may go, and what a public note may be."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from routing.reports import (
    MAX_PUBLIC_NOTE_LENGTH,
    NEXT_STAGES,
    STAGES,
    NoteRefused,
    StageNotAllowed,
    age_text,
    check_stage_change,
    open311_status,
    public_note_text,
    stage_name,
)


def test_the_four_stages_in_order_with_plain_names():
    assert STAGES == ("new", "acknowledged", "in_progress", "closed")
    assert [stage_name(stage) for stage in STAGES] == ["New", "Acknowledged", "In progress", "Closed"]


@pytest.mark.parametrize(("stage", "status"), [("new", "open"), ("acknowledged", "open"),
                                              ("in_progress", "open"), ("closed", "closed")])  # fmt: skip
def test_open311_calls_a_report_closed_exactly_when_its_stage_is(stage, status):
    assert open311_status(stage) == status


@pytest.mark.parametrize(
    ("current", "to"),
    [("new", "acknowledged"), ("new", "in_progress"), ("new", "closed"), ("acknowledged", "in_progress"),
     ("acknowledged", "closed"), ("in_progress", "closed"), ("acknowledged", "acknowledged"),
     ("in_progress", "in_progress"), ("closed", "in_progress")],
)  # fmt: skip
def test_a_report_moves_on_gets_further_updates_and_can_be_reopened(current, to):
    check_stage_change("SCC-7KQ4XH", current, to)


@pytest.mark.parametrize(
    ("current", "to", "said"),
    [
        ("in_progress", "new",
         "Report SCC-7KQ4XH is in progress; it cannot move to new. It can move to: in progress, closed."),
        ("in_progress", "acknowledged", "it cannot move to acknowledged"),
        ("closed", "closed", "Report SCC-7KQ4XH is closed; it cannot move to closed. It can move to: in progress."),
        ("closed", "new", "it cannot move to new"),
        ("new", "new", "it cannot move to new"),
        ("new", "fixed", "There is no stage called 'fixed'. Choose one of: new, acknowledged, in progress, closed."),
        ("new", "", "There is no stage called ''"),
    ],
)  # fmt: skip
def test_a_move_the_stage_does_not_allow_is_refused_saying_what_is_allowed(current, to, said):
    with pytest.raises(StageNotAllowed) as refused:
        check_stage_change("SCC-7KQ4XH", current, to)
    assert said in str(refused.value)


def test_every_stage_can_go_somewhere():
    assert set(NEXT_STAGES) == set(STAGES)
    assert all(NEXT_STAGES[stage] for stage in STAGES)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("We will fill it on Friday.", "We will fill it on Friday."),
        ("  Booked in.\n\nThe crew comes Monday.  ", "Booked in. The crew comes Monday."),
        ("", None),
        ("   \n ", None),
        (None, None),
        ("Paid with 4111 1111 1111 1111 thanks", "Paid with [card number removed] thanks"),
        ("a < b and c > d", "a < b and c > d"),  # angle brackets in words are not markup
        ("x" * MAX_PUBLIC_NOTE_LENGTH, "x" * MAX_PUBLIC_NOTE_LENGTH),
    ],
)
def test_a_public_note_is_kept_as_plain_trimmed_text_without_card_numbers(given, kept):
    found = public_note_text(given)
    if kept is not None and "card" in kept:
        assert found is not None and "4111" not in found and found.startswith("Paid with")
    else:
        assert found == kept


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("x" * (MAX_PUBLIC_NOTE_LENGTH + 1), f"at most {MAX_PUBLIC_NOTE_LENGTH} characters; this one has 501"),
        ("<b>Fixed</b>", "plain text, without HTML tags"),
        ("Fixed <script>alert(1)</script>", "plain text, without HTML tags"),
        ("See <a href='x'>here</a>", "plain text, without HTML tags"),
        ("Fixed&nbsp;today", "plain text, without HTML tags"),
    ],
)
def test_a_note_too_long_or_written_as_html_is_refused_with_why(given, said):
    with pytest.raises(NoteRefused) as refused:
        public_note_text(given)
    assert said in str(refused.value)


NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("ago", "said"),
    [(timedelta(0), "0 minutes"), (timedelta(minutes=1), "1 minute"), (timedelta(minutes=59), "59 minutes"),
     (timedelta(hours=1), "1 hour"), (timedelta(hours=23, minutes=59), "23 hours"), (timedelta(days=1), "1 day"),
     (timedelta(days=12, hours=5), "12 days"), (-timedelta(minutes=5), "0 minutes")],
)  # fmt: skip
def test_how_long_a_report_has_waited_is_said_in_the_unit_that_matters(ago, said):
    assert age_text(NOW - ago, NOW) == said
