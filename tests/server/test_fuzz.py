"""Bounded fuzz of every public input of the running assistant (``evaluation/fuzz.py``).

Hostile requests go to the chat form, Rasa's REST webhook, the live-chat poll and stream, the staff
sign-in, pages and JSON API, the dashboard's filters, the CSV export and odd methods. None may get a
5xx or show anything internal, and afterwards the assistant must still be healthy and still answer
a resident. CI sends a small count; ``make fuzz`` sends at least 10,000 (``FUZZ_REQUESTS``).
"""

from __future__ import annotations

import asyncio
import os
from typing import Iterator

import pytest

from evaluation.fuzz import Figures, run
from evaluation.load import GENEROUS_LIMITS
from evaluation.staff_access import StaffAccess, prepare
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.http import request_json, say, texts

pytestmark = pytest.mark.server

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1000"))
SEED = int(os.environ.get("FUZZ_SEED", "14"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, StaffAccess, Figures]]:
    """An assistant of its own (the fuzz leaves odd conversations and closed cases behind), fuzzed once."""
    running = start_assistant(tmp_path_factory.mktemp("fuzz-var"), GENEROUS_LIMITS)
    try:
        access = prepare(running.database_url, "fuzz")
        figures = asyncio.run(run(running.web_url, running.rasa_url, access, REQUESTS, SEED))
        print("\n" + figures.report())
        yield running, access, figures
    finally:
        stop_assistant_process(running.process)


def test_no_input_gets_a_server_error_or_shows_internals(fuzzed: tuple[Assistant, StaffAccess, Figures]) -> None:
    _, _, figures = fuzzed
    assert sum(figures.sent.values()) == REQUESTS
    assert len(figures.sent) == 13, f"every public input is tried: {sorted(figures.sent)}"
    assert not figures.errors, figures.report()


def test_the_assistant_still_works_afterwards(fuzzed: tuple[Assistant, StaffAccess, Figures]) -> None:
    running, access, _ = fuzzed
    status, health = request_json(f"{running.web_url}/health")
    assert status == 200, health
    assert "postcode" in texts(say(running.rasa_url, "after-the-fuzz", "when is my bin day")).lower()
    status, cases = request_json(
        f"{running.web_url}/api/v1/cases", headers={"Authorization": f"Bearer {access.api_token}"}
    )
    assert status == 200 and isinstance(cases["cases"], list), cases
