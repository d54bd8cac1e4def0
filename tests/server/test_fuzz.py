"""Bounded fuzz of every public input of the running assistant (``evaluation/fuzz.py``).

Hostile requests go to the chat form, Rasa's REST webhook, the live-chat poll and stream, the staff
sign-in, pages and JSON API, the dashboard's filters, the CSV export and odd methods. None may get a
5xx or show anything internal, and afterwards the assistant must still be healthy and still answer
a resident. CI sends a small count; ``make fuzz`` sends at least 10,000 (``FUZZ_REQUESTS``).
"""

from __future__ import annotations

import os
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from evaluation.fuzz import Figures, Probe, problems, run, send
from evaluation.load import GENEROUS_LIMITS
from evaluation.staff_access import StaffAccess, prepare
from tests.conftest import Assistant, run_apart, start_assistant, stop_assistant_process
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
        figures = run_apart(run(running.web_url, running.rasa_url, access, REQUESTS, SEED))
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


# What the fuzz found (each was a 500 or an empty 504), sent once more exactly: now a plain 4xx.
BROKEN_FORM = "multipart/form-data; boundary=cut"
URLENCODED = "application/x-www-form-urlencoded"
FOUND = [
    ("chat form, multipart cut off", "POST", "/", {"Content-Type": BROKEN_FORM}, b"--cut\r\nContent-Disp", 400),
    ("chat form, no multipart boundary", "POST", "/", {"Content-Type": "multipart/form-data"}, b"x", 400),
    ("chat form, not UTF-8", "POST", "/", {"Content-Type": URLENCODED}, b"message=\xc3\x28", 400),
    ("chat form, unknown charset", "POST", "/", {"Content-Type": URLENCODED + "; charset=klingon"},
     b"message=hi", 400),
    ("sign-in, multipart cut off", "POST", "/staff/sign-in", {"Content-Type": BROKEN_FORM}, b"--cut\r\n", 400),
    ("API note nested too deep", "POST", "/api/v1/cases/{ref}/notes", {"Content-Type": "application/json"},
     b"[" * 30_000, 400),
    ("API note with a lone surrogate", "POST", "/api/v1/cases/{ref}/notes", {"Content-Type": "application/json"},
     b'{"note": "\\ud83d"}', 400),
    ("API token not UTF-8", "GET", "/api/v1/cases", {"Authorization": "Bearer \udcff\udcfe"}, b"", 401),
]  # fmt: skip


@pytest.mark.parametrize(("what", "method", "path", "headers", "body", "status"), FOUND, ids=[f[0] for f in FOUND])
def test_what_the_fuzz_found_is_answered_plainly(
    fuzzed: tuple[Assistant, StaffAccess, Figures], what: str, method: str, path: str,
    headers: dict[str, str], body: bytes, status: int,
) -> None:  # fmt: skip
    running, access, _ = fuzzed
    if path.startswith("/api/") and "Authorization" not in headers:
        headers = {**headers, "Authorization": f"Bearer {access.api_token}"}
    probe = Probe(what, "web", method, path.format(ref=access.references[0]), tuple(headers.items()), body)
    answer = run_apart(send("127.0.0.1", urlsplit(running.web_url).port or 80, probe))
    assert answer.status == status, answer
    assert not problems(answer), answer


def test_a_non_ascii_csrf_token_is_refused_plainly(fuzzed: tuple[Assistant, StaffAccess, Figures]) -> None:
    running, access, _ = fuzzed
    form = b"csrf_token=%C3%A9t%C3%A9&available=yes"
    headers = (
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", f"staff_session={access.adviser.session}"),
    )
    probe = Probe("availability", "web", "POST", "/staff/availability", headers, form)
    answer = run_apart(send("127.0.0.1", urlsplit(running.web_url).port or 80, probe))
    assert answer.status == 403, answer
    assert b"This form has expired" in answer.body
