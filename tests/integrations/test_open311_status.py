"""How the back office's status and notes become the report's stage and the note the resident hears."""

from __future__ import annotations

import pytest

from integrations.open311_status import public_note, stage_after


@pytest.mark.parametrize(
    ("current", "status", "note", "had", "moves_to"),
    [
        ("new", "closed", "Filled.", None, "closed"),
        ("in_progress", "closed", None, None, "closed"),
        ("closed", "closed", "Filled again.", "Filled.", None),  # already closed: nothing to record
        ("closed", "open", "It came back.", "Filled.", "in_progress"),  # reopened by the back office
        ("new", "open", "An inspector will visit.", None, "in_progress"),  # someone is on it
        ("acknowledged", "open", "An inspector will visit.", None, "acknowledged"),  # keeps its stage
        ("new", "open", None, None, None),  # open with no note is no news
        ("in_progress", "open", "Same note.", "Same note.", None),
    ],
)
def test_the_back_offices_status_moves_the_report_on(current, status, note, had, moves_to):
    assert stage_after(current, status, note, had) == moves_to


def test_a_back_office_note_is_read_to_the_resident_as_short_plain_text():
    assert public_note("<p>Filled   in</p>\n<b>today</b>") == "Filled in today"
    assert public_note("Fixed &amp; closed&nbsp;today") == "Fixed & closed today"  # a note staff can store
    assert public_note("&lt;b&gt;Filled&lt;/b&gt; in") == "Filled in"
    long = public_note("word " * 300)
    assert long is not None and len(long) <= 500 and long.endswith("…")
    assert public_note("  ") is None
