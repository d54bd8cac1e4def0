"""What a resident reads about a report they made: one clear status, what happens next, and a
number to call when the reference is not found."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from routing.report_replies import reference_not_found, report_status
from routing.reports import RECEIVED_NOTE, ServiceRequest

SENT = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
CHANGED = datetime(2026, 12, 3, 15, tzinfo=timezone.utc)
INSPECT = "We aim to inspect it within 5 working days."


def _report(status: str, notes: str | None = RECEIVED_NOTE) -> ServiceRequest:
    return ServiceRequest("SCC-7KQ4XH", "pothole", "POTHOLE", "Hill Lane", None, "deep", status, notes, SENT, CHANGED)


def _said(status: str, notes: str | None = RECEIVED_NOTE, response_time: str | None = INSPECT) -> str:
    return " ".join(reply.text for reply in report_status(_report(status, notes), "a pothole", response_time))


@pytest.mark.parametrize(
    ("status", "must_say", "never_say"),
    [
        (
            "open",
            ["Your report SCC-7KQ4XH about a pothole was sent on 1 December 2026.",
             "work has not started yet", INSPECT, "ask me about it again"],
            ["working on it", "Waiting for the team", "closed", "will text", "will email"],
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
            "something_new",  # a status the assistant has no words for is read as open, never echoed
            ["was sent on 1 December 2026.", "work has not started yet"],
            ["something_new"],
        ),
    ],
)  # fmt: skip
def test_each_status_has_one_clear_sentence_and_what_happens_next(status, must_say, never_say):
    said = _said(status)
    assert all(words in said for words in must_say), said
    assert not any(words in said for words in never_say), said


def test_the_teams_own_note_is_shown_after_the_status():
    replies = report_status(_report("closed", "Filled on 3 December."), "a pothole")
    assert [reply.text for reply in replies][-1] == "The team's latest note: Filled on 3 December."


@pytest.mark.parametrize("notes", [RECEIVED_NOTE, None, "  "])
def test_the_note_every_new_report_starts_with_is_not_repeated_as_news(notes):
    assert len(report_status(_report("open", notes), "a pothole")) == 1


def test_an_open_report_without_a_response_time_still_says_what_next():
    said = _said("open", response_time=None)
    assert said.endswith("You can ask me about it again at any time.")


@pytest.mark.parametrize("reference", ["SCC-7KQ4XH", "SCC-ZZZZ22"])
def test_a_reference_not_found_always_gives_the_number_to_call(reference):
    text = reference_not_found(reference, "023 8083 3000").text
    assert f"I cannot find {reference}." in text
    assert "call us on 023 8083 3000" in text
    assert "?" not in text
