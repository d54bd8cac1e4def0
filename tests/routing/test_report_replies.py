"""What a resident reads about a report they made: one clear sentence for its stage, what happens
next, the team's latest public note, and a number to call when the reference is not found."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from routing.report_replies import reference_not_found, report_stage, report_status
from routing.reports import RECEIVED_NOTE, ServiceRequest, open311_status

SENT = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
CHANGED = datetime(2026, 12, 3, 15, tzinfo=timezone.utc)
INSPECT = "We aim to inspect it within 5 working days."


def _report(stage: str, notes: str | None = RECEIVED_NOTE, status: str | None = None) -> ServiceRequest:
    status = status or open311_status(stage)
    return ServiceRequest(
        "SCC-7KQ4XH", "pothole", "POTHOLE", "Hill Lane", None, "deep", status, notes, SENT, CHANGED, stage
    )


def _said(stage: str, notes: str | None = RECEIVED_NOTE, response_time: str | None = INSPECT) -> str:
    return " ".join(reply.text for reply in report_status(_report(stage, notes), "a pothole", response_time))


@pytest.mark.parametrize(
    ("stage", "must_say", "never_say"),
    [
        (
            "new",
            ["Your report SCC-7KQ4XH about a pothole was sent on 1 December 2026.",
             "work has not started yet", INSPECT, "ask me about it again"],
            ["working on it", "Waiting for the team", "closed", "will text", "will email", "seen by"],
        ),
        (
            "acknowledged",
            ["has been seen by the team", "Work has not started yet", "3 December 2026", INSPECT,
             "ask me about it again"],
            ["being worked on", "Waiting for the team", "closed"],
        ),
        (
            "in_progress",
            ["is being worked on now", "3 December 2026", "ask me about it again"],
            ["not started", "Waiting for the team", INSPECT, "closed"],
        ),
        (
            "closed",
            ["was closed on 3 December 2026.", "If the problem is still there, you can report it again."],
            ["working on", "not started", INSPECT, "Waiting for the team"],
        ),
        (
            "something_new",  # a stage the assistant has no words for is read as new, never echoed
            ["was sent on 1 December 2026.", "work has not started yet"],
            ["something_new"],
        ),
    ],
)  # fmt: skip
def test_each_stage_has_one_clear_sentence_and_what_happens_next(stage, must_say, never_say):
    said = _said(stage)
    assert all(words in said for words in must_say), said
    assert not any(words in said for words in never_say), said


def test_a_report_open311_calls_closed_is_closed_whatever_its_stage():
    """A back office may close a report without the queue hearing of its stages."""
    assert report_stage(_report("in_progress", status="closed")) == "closed"


def test_the_teams_own_note_is_shown_after_the_stage():
    replies = report_status(_report("in_progress", "We will fill it on Friday."), "a pothole")
    assert [reply.text for reply in replies][-1] == "The team's latest note: We will fill it on Friday."
    assert "is being worked on now" in replies[0].text


@pytest.mark.parametrize("notes", [RECEIVED_NOTE, None, "  "])
def test_the_note_every_new_report_starts_with_is_not_repeated_as_news(notes):
    assert len(report_status(_report("new", notes), "a pothole")) == 1


def test_a_report_without_a_response_time_still_says_what_next():
    said = _said("new", response_time=None)
    assert said.endswith("You can ask me about it again at any time.")


@pytest.mark.parametrize("reference", ["SCC-7KQ4XH", "SCC-ZZZZ22"])
def test_a_reference_not_found_always_gives_the_number_to_call(reference):
    text = reference_not_found(reference, "023 8083 3000").text
    assert f"I cannot find {reference}." in text
    assert "call us on 023 8083 3000" in text
    assert "?" not in text
