"""Why a resident was handed over, and the summary staff read first."""

from __future__ import annotations

import pytest

from routing.channels import BOOKINGS, URGENT_CASE
from routing.handoff_summary import case_summary, handoff_trigger, wanted

TRIGGERS = [
    ("a risk comes first", ["safeguarding"], ["action_fallback", "action_fallback"], "safeguarding"),
    ("two misunderstandings", [], ["action_fallback", "action_default_fallback"], "repeated_failure"),
    ("one misunderstanding is not enough", [], ["action_fallback"], "asked"),
    ("the resident was struggling", ["frustration"], ["action_offer_support"], "repeated_failure"),
    ("a need they told us about", ["older_age"], ["action_acknowledge_need"], "detected_need"),
    ("they simply asked", [], ["utter_greet"], "asked"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "needs", "steps", "trigger"), TRIGGERS, ids=[t[0] for t in TRIGGERS])
def test_the_trigger(case: str, needs: list[str], steps: list[str], trigger: str) -> None:
    assert handoff_trigger(needs, steps) == trigger


@pytest.mark.parametrize(
    ("intent", "service", "expected"),
    [
        ("report_issue", "Missed bin", "Report a problem: Missed bin"),
        ("check_status", None, "Check on a report"),
        (None, None, "Talk to a person"),
        ("greet", "Council tax", "Talk to a person: Council tax"),
    ],
)
def test_what_they_wanted(intent: str | None, service: str | None, expected: str) -> None:
    assert wanted(intent, service) == expected


def test_the_summary_keeps_the_offer_already_made() -> None:
    needs = [{"category": "older_age", "cue": "i'm 85"}, {"category": "safeguarding", "evidence": "means: pills"}]
    summary = case_summary("make_payment", None, {"postcode": "SO14 7LY"}, needs, BOOKINGS["callback"], [URGENT_CASE])
    assert summary == {
        "wanted": "Pay for something",
        "form": {"postcode": "SO14 7LY"},
        "needs": [{"category": "older_age", "cue": "i'm 85"}, {"category": "safeguarding", "cue": "means: pills"}],
        "chosen": "Call me back",
        "first_offer": "Urgent help",
    }
