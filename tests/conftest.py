"""Shared fixtures: the project's paths, the real domain, and the whole assistant on spare ports."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Coroutine, Iterator, TypeVar

import pytest

from bot.launcher import free_port, web_is_healthy
from bot.launcher import stop_launched as stop_assistant_process
from routing import clock

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "council.tar.gz"
START_TIMEOUT = 240
ALWAYS_OPEN = ROOT / "tests" / "fixtures" / "channels_always_open.yml"
T = TypeVar("T")


@dataclass
class Assistant:
    """A running assistant started by the tests, and where to reach it."""

    rasa_url: str
    web_url: str
    actions_url: str
    var_dir: Path
    process: subprocess.Popen[bytes]
    rasa_token: str

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.var_dir / 'council.db'}"

    def rasa_api(self, path: str) -> str:
        """The URL of ``path`` on Rasa's HTTP API, with the token it asks for."""
        return f"{self.rasa_url}{path}?token={self.rasa_token}"


def start_assistant(
    var_dir: Path, environment: dict[str, str] | None = None, ports: tuple[int, int, int] | None = None,
    start_timeout: float = START_TIMEOUT,
) -> Assistant:  # fmt: skip
    """Start ``python -m bot run`` (what ``make run`` runs) on spare ports (or Rasa's, the action
    server's and the web app's ``ports``) with its data in ``var_dir`` (and any further
    ``environment``, such as a monitoring database of its own)."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run the tests with 'make test', which trains it.")
    rasa_port, actions_port, web_port = ports or (free_port(), free_port(), free_port())
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(actions_port),
            "WEB_PORT": str(web_port),
            "VAR_DIR": str(var_dir),
            "PYTHONPATH": str(ROOT),
            # Every channel open all day, so these tests do not depend on the time they run.
            "COUNCIL_CHANNELS_FILE": str(ALWAYS_OPEN),
            "RASA_TOKEN": secrets.token_hex(16),
            # Every test resident comes from 127.0.0.1: one address's share of the live chat queue
            # is tested on its own (tests/server/test_live_chat.py).
            "COUNCIL_LIVE_CHATS_PER_CLIENT": "1000",
        }
    )
    env.pop("COUNCIL_DATABASE_URL", None)
    env.pop("COUNCIL_MONITORING_DATABASE_URL", None)
    env.pop("RASA_TRACKER_DB", None)
    env.update(environment or {})
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir / "launcher.log"
    log = log_path.open("ab")
    started_at = log.tell()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    web_url = f"http://127.0.0.1:{web_port}"
    deadline = time.monotonic() + start_timeout
    # The launcher says it is running once every server is ready (in the scale-out, every process).
    while not (web_is_healthy(web_url) and _said_running(log_path, started_at)):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_assistant_process(process)
            logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(var_dir.glob("**/*.log")))
            pytest.fail(f"The assistant did not start:\n{logs}")
        time.sleep(0.5)
    return Assistant(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        web_url=web_url,
        actions_url=f"http://127.0.0.1:{actions_port}",
        var_dir=var_dir,
        process=process,
        rasa_token=env["RASA_TOKEN"],
    )


def _said_running(log_path: Path, since: int) -> bool:
    """True when the launcher has printed its banner into ``log_path`` after byte ``since``."""
    with log_path.open("rb") as log:
        log.seek(since)
        return b"The assistant is running" in log.read()


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end on an event loop of its own, in a thread of its own: the
    browser tests' Playwright keeps a loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The whole assistant, started once for the test session and stopped at the end."""
    running = start_assistant(tmp_path_factory.mktemp("assistant-var"))
    yield running
    stop_assistant_process(running.process)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session (see tests/databases.py)."""
    from tests.databases import postgres_database

    yield from postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A real database with empty tables, once on SQLite and once on PostgreSQL."""
    from tests.databases import fresh_engine

    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    yield from fresh_engine(request.param, tmp_path, url)


@pytest.fixture
def set_clock() -> Iterator[Callable[[datetime], None]]:
    """Set the assistant's one clock (``routing.clock``) for this test; it runs again afterwards."""
    yield clock.set_time
    clock.set_time(None)
