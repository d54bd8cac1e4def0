"""Starts the whole assistant as one command: Rasa server, action server and web app.

``python -m bot run`` (what ``make run`` calls) starts the three processes with the embedded
defaults, waits until ``/health`` answers, prints where to open things, and stops all three
cleanly on Ctrl-C. If any one of them dies, the others are stopped too, so nothing is left
half-running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from wiring.settings import PROJECT_ROOT, Settings, internal_tokens, load_settings

READY_TIMEOUT_SECONDS = 240
STOP_TIMEOUT_SECONDS = 15


@dataclass
class Child:
    """One server process and the log file it writes to."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment every server gets: ports, paths, the internal tokens, and quiet logs."""
    env = dict(os.environ)
    tokens = internal_tokens(settings)
    env.update(
        {
            "RASA_PORT": str(settings.rasa_port),
            "ACTIONS_PORT": str(settings.actions_port),
            "WEB_PORT": str(settings.web_port),
            "VAR_DIR": str(settings.var_dir),
            "COUNCIL_DATABASE_URL": settings.database_url,
            "COUNCIL_MONITORING_DATABASE_URL": settings.monitoring_database_url,
            "RASA_TRACKER_DB": str(settings.tracker_db),
            "ACTION_SERVER_URL": settings.action_server_url,
            "RASA_TOKEN": tokens.rasa,
            "ACTIONS_TOKEN": tokens.actions,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            # Sanic (Rasa and the action server) closes a new connection whose request has not
            # arrived within this keep-alive time (5 s by default). Under load Rasa's event loop
            # can stall that long between connecting to the action server and writing, and the
            # action was lost: the resident got no answer. Longer than the callers' own pools keep
            # idle connections (aiohttp: 15 s), so a caller always closes first.
            "SANIC_KEEP_ALIVE_TIMEOUT": "75",
        }
    )
    return env


def commands(settings: Settings) -> dict[str, list[str]]:
    """The command line of each server."""
    # Rasa and the action server listen on the internal interface only, and ask for their tokens.
    return {
        "rasa": [sys.executable, "-m", "bot.rasa_server"],
        "actions": [sys.executable, "-m", "bot.action_server"],
        "web": [sys.executable, "-m", "bot.web"],
    }


def start(settings: Settings) -> list[Child]:
    """Start the three servers, each logging to ``var/logs/<name>.log``."""
    if not settings.model_path.exists():
        raise SystemExit(f"No trained model at {settings.model_path}. Run 'make train' (make run does it).")
    log_dir = settings.var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = child_environment(settings)
    children = []
    for name, command in commands(settings).items():
        log_path = log_dir / f"{name}.log"
        log = log_path.open("ab")
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        children.append(Child(name, process, log_path, log))
    return children


def stop(children: list[Child]) -> None:
    """Ask every server to stop, then force any that will not."""
    for child in children:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
        child.log.close()


def healthy(settings: Settings) -> bool:
    """True when the web app's ``/health`` says the assistant can hold a conversation."""
    return web_is_healthy(settings.web_url)


def web_is_healthy(web_url: str) -> bool:
    """True when the web app at ``web_url`` answers ``/health`` with 200."""
    try:
        with urllib.request.urlopen(f"{web_url}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def free_port() -> int:
    """A TCP port nobody is listening on right now (for a second assistant beside the first)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_launched(process: subprocess.Popen[bytes]) -> None:
    """Stop a ``python -m bot run`` process the way Ctrl-C does (it stops its servers), and wait."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_ready(settings: Settings, children: list[Child]) -> None:
    """Block until ``/health`` is 200; fail with the dead server's log if one exits first."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for child in children:
            if child.process.poll() is not None:
                raise RuntimeError(f"The {child.name} server stopped while starting:\n{_tail(child.log_path)}")
        if healthy(settings):
            return
        time.sleep(0.5)
    raise RuntimeError(
        f"The assistant was not ready after {READY_TIMEOUT_SECONDS} seconds. See {settings.var_dir / 'logs'}."
    )


def _migrate(settings: Settings) -> None:
    """Bring the assistant's tables up to date once, before the servers start and use them."""
    from storage.schema import ASSISTANT, BRANCHES, open_database

    # A monitoring database of its own is migrated by the recorder when it can reach it.
    same = settings.monitoring_database_url == settings.database_url
    open_database(settings.database_url, *(BRANCHES if same else (ASSISTANT,))).dispose()


def _demo_users(settings: Settings) -> str:
    """On a database with no staff accounts, make the first (one manager, or the demo adviser and
    manager with ``COUNCIL_DEMO_USERS=1``) with random passwords, printed at once (so a start that
    fails later does not lose them); a reminder for the banner, or nothing."""
    from bot.users import first_accounts
    from storage.engine import open_engine
    from storage.staff import StaffAccounts

    engine = open_engine(settings.database_url)  # migrated by ``run`` before this
    try:
        created = first_accounts(StaffAccounts(engine), demo=settings.demo_users)
    finally:
        engine.dispose()
    if not created:
        return ""
    logins = ", ".join(f"{name} / {password} ({role})" for name, password, role in created)
    print(f"First staff sign-in, shown only this once: {logins}\n(add more with: python -m bot users add NAME)")
    return f"  (first sign-in: {created[0][0]}, password printed above)"


def run() -> int:
    """Start everything, print where to open it, and wait for Ctrl-C (or a server to die)."""
    settings = load_settings()
    print("Starting the council contact assistant (this takes about 30 seconds)...", flush=True)
    _migrate(settings)
    demo = _demo_users(settings)
    children = start(settings)
    stopping = False

    def _request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    try:
        wait_until_ready(settings, children)
        print(
            "\nThe assistant is running:\n"
            f"  Chat page       {settings.web_url}/\n"
            f"  Staff inbox     {settings.web_url}/staff{demo}\n"
            f"  Handoff API     {settings.web_url}/api/v1/openapi.yaml\n"
            f"  Health          {settings.web_url}/health\n"
            f"  Rasa REST       {settings.rasa_url}/webhooks/rest/webhook\n"
            f"  Rasa HTTP API   {settings.rasa_url}/model/parse (needs ?token= from RASA_TOKEN or var/rasa.token)\n"
            f"  Action server   {settings.action_server_url} (for Rasa only)\n"
            f"  Logs            {settings.var_dir / 'logs'}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping:
            dead = [child for child in children if child.process.poll() is not None]
            if dead:
                print(f"The {dead[0].name} server stopped:\n{_tail(dead[0].log_path)}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as error:
        if not stopping:
            print(str(error), file=sys.stderr)
            return 1
        return 0
    finally:
        print("Stopping...", flush=True)
        stop(children)
        print("Stopped.", flush=True)
