"""Load: residents chatting at once on the chat page while an adviser works the inbox and its API and a
manager keeps loading the dashboard (``evaluation/load.py``). Every resident turn is a 200 with a
bot line (or the live-chat handoff), and every staff and dashboard load is a 200.

CI plays 20 residents x 5 turns; ``make load`` plays the full 50 x 10 (``LOAD_RESIDENTS``,
``LOAD_TURNS``).
"""

from __future__ import annotations

import os

import pytest

from evaluation.load import GENEROUS_LIMITS, run
from evaluation.staff_access import prepare
from tests.conftest import run_apart, start_assistant, stop_assistant_process

pytestmark = pytest.mark.server

RESIDENTS = int(os.environ.get("LOAD_RESIDENTS", "20"))
TURNS = int(os.environ.get("LOAD_TURNS", "5"))


def test_residents_staff_and_a_manager_at_once_get_no_errors(tmp_path_factory: pytest.TempPathFactory) -> None:
    running = start_assistant(tmp_path_factory.mktemp("load-var"), GENEROUS_LIMITS)
    try:
        access = prepare(running.database_url, "load")
        figures = run_apart(run(running.web_url, access, RESIDENTS, TURNS))
    finally:
        stop_assistant_process(running.process)
    print("\n" + figures.report())
    assert len(figures.turn_seconds) == RESIDENTS * TURNS, figures.report()
    assert not figures.errors, figures.report()
    assert figures.staff_loads > 0 and figures.dashboard_loads > 0, figures.report()
