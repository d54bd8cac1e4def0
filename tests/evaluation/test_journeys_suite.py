"""The resident journeys suite (``evaluation/journeys/``): every journey played through the whole
running assistant, started with its clock in office hours (an adviser signed in) and out of them,
and the issue's targets held: goals reached, few fallbacks, no question a third time, short turns."""

from __future__ import annotations

import pytest

from evaluation.journey_checks import load_journeys, summarise
from evaluation.journeys import JOURNEYS, format_report, play_suite

pytestmark = pytest.mark.server

MIN_JOURNEYS = 40


def test_residents_reach_what_they_came_for() -> None:
    journeys = load_journeys(JOURNEYS)
    assert len(journeys) >= MIN_JOURNEYS
    results = play_suite(journeys)
    summary = summarise(results)
    print(format_report(summary, 0.0, {h: sum(j.hours == h for j in journeys) for h in ("in", "out")}))
    assert summary.goal_share >= 0.95, summary.failing
    assert summary.fallback_share <= 0.03
    assert summary.third_time_questions == 0
    assert summary.turns_over_budget == 0
