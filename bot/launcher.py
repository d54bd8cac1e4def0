"""Starts the whole assistant as one command: Rasa server, action server and web app.

``python -m bot run`` (what ``make run`` calls) starts the three processes with the embedded
defaults under supervisord (a maintained process manager, run in the foreground with its config in
``var/supervisord.conf``), waits until ``/health`` answers, prints where to open things, and stops
all three cleanly on Ctrl-C or SIGTERM. If one of them dies, supervisord starts it again, and the
conversations carry on (they live in the databases, not in the processes). ``supervisorctl -c
var/supervisord.conf status`` shows the three.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path
from typing import Any

from bot import scaled
from bot.scaled import Program
from wiring.kept_secrets import internal_tokens
from wiring.notify import load_notify_settings
from wiring.open311 import load_open311_settings
from wiring.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from wiring.webhooks import load_webhook_settings

READY_TIMEOUT_SECONDS = 240
SCALED_READY_TIMEOUT_SECONDS = 600  # several Rasa servers load the model at once
STOP_TIMEOUT_SECONDS = 15


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
    if settings.scale:
        env.update(scaled.secrets_environment(settings))
    return env


def commands(settings: Settings) -> dict[str, Program]:
    """Each process supervisord runs: one Rasa server, action server and web app, or in the
    scale-out profile several of each and the balancer in front (``bot/scaled.py``)."""
    if settings.scale:
        return scaled.programs(settings)
    # Rasa and the action server listen on the internal interface only, and ask for their tokens.
    return {
        "rasa": Program([sys.executable, "-m", "bot.rasa_server"]),
        "actions": Program([sys.executable, "-m", "bot.action_server"]),
        "web": Program([sys.executable, "-m", "bot.web"]),
    }


PROGRAM_SECTION = """
[program:{name}]
command={command}
directory={directory}
autostart=true
autorestart=true
startsecs=5
startretries={retries}
stopasgroup=true
killasgroup=true
stopsignal=TERM
stopwaitsecs={stop_wait}
redirect_stderr=true
stdout_logfile={log}
stdout_logfile_maxbytes=10MB
stdout_logfile_backups=3
{environment}"""
# A server that fails this many quick starts in a row is given up (FATAL): at start-up that is an
# error to show; once running, the launcher asks supervisord to try it again (see ``run``).
START_RETRIES = 3


def _escaped(value: str) -> str:
    """``value`` for a supervisord config line (it expands ``%(name)s``, so ``%`` is doubled)."""
    return value.replace("%", "%%")


def _environment_line(environment: dict[str, str]) -> str:
    """A program's own variables (a process of the scale-out: its port and name), or nothing."""
    if not environment:
        return ""
    pairs = ",".join(f'{name}="{_escaped(value)}"' for name, value in environment.items())
    return f"environment={pairs}\n"


def supervisor_config(settings: Settings) -> str:
    """The supervisord configuration: each server from ``commands()``, restarted whenever it stops.

    Every server gets ``child_environment()`` by inheriting it from supervisord, which runs in the
    foreground under the launcher (so Ctrl-C stops it and everything it started).
    """
    var, logs = settings.var_dir, settings.var_dir / "logs"
    head = (
        "[supervisord]\n"
        "nodaemon=true\n"
        f"logfile={_escaped(str(logs / 'supervisord.log'))}\n"
        f"pidfile={_escaped(str(var / 'supervisord.pid'))}\n"
        f"directory={_escaped(str(PROJECT_ROOT))}\n"
        "\n[unix_http_server]\n"
        f"file={_escaped(str(supervisor_socket(settings)))}\n"
        "chmod=0700\n"
        "\n[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
        "\n[supervisorctl]\n"
        f"serverurl=unix://{_escaped(str(supervisor_socket(settings)))}\n"
    )
    programs = "".join(
        PROGRAM_SECTION.format(
            name=name,
            command=_escaped(shlex.join(program.command)),
            directory=_escaped(str(PROJECT_ROOT)),
            retries=START_RETRIES,
            stop_wait=STOP_TIMEOUT_SECONDS,
            log=_escaped(str(logs / f"{name}.log")),
            environment=_environment_line(program.environment),
        )  # fmt: skip
        for name, program in commands(settings).items()
    )
    return head + programs


def supervisor_socket(settings: Settings) -> Path:
    """Where supervisord answers ``supervisorctl`` (and the launcher's own status checks)."""
    return settings.var_dir / "supervisor.sock"


def supervisor_rpc(var_dir: Path) -> Any:
    """An XML-RPC client for the supervisord of the assistant with its data in ``var_dir``
    (``.supervisor.getAllProcessInfo()`` and so on)."""
    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, f"unix://{var_dir / 'supervisor.sock'}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)


def start(settings: Settings) -> subprocess.Popen[bytes]:
    """Start supervisord, which starts the three servers (each logging to ``var/logs/<name>.log``)
    and restarts any that stops."""
    if not settings.model_path.exists():
        raise SystemExit(f"No trained model at {settings.model_path}. Run 'make train' (make run does it).")
    log_dir = settings.var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    if settings.scale:
        scaled.prepare(settings)  # the databases, Rasa's endpoints file and the balancer's config
    config = settings.var_dir / "supervisord.conf"
    config.write_text(supervisor_config(settings), encoding="utf-8")
    with (log_dir / "supervisord.out").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(config)],
            cwd=PROJECT_ROOT, env=child_environment(settings), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops supervisord in order
        )  # fmt: skip


def stop(manager: subprocess.Popen[bytes]) -> None:
    """Ask supervisord to stop every server and itself; force it if it will not."""
    if manager.poll() is None:
        manager.send_signal(signal.SIGTERM)
    try:
        manager.wait(timeout=STOP_TIMEOUT_SECONDS * 3 + 5)
    except subprocess.TimeoutExpired:
        os.killpg(manager.pid, signal.SIGKILL)
        manager.wait()


def given_up(settings: Settings) -> list[str]:
    """The servers supervisord has given up restarting (none, normally)."""
    try:
        states = supervisor_rpc(settings.var_dir).supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Error):
        return []  # not answering yet
    return [str(state["name"]) for state in states if state.get("statename") == "FATAL"]


def healthy(settings: Settings) -> bool:
    """True when the web app's ``/health`` says the assistant can hold a conversation (in the
    scale-out: and every process of it is ready for its share)."""
    if not web_is_healthy(settings.web_url):
        return False
    return not settings.scale or not scaled.not_ready(settings, internal_tokens(settings).rasa)


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


def wait_until_ready(settings: Settings, manager: subprocess.Popen[bytes]) -> None:
    """Block until ``/health`` is 200; fail with the logs if supervisord stops or gives up on a server."""
    waits = SCALED_READY_TIMEOUT_SECONDS if settings.scale else READY_TIMEOUT_SECONDS
    deadline = time.monotonic() + waits
    while time.monotonic() < deadline:
        if manager.poll() is not None:
            raise RuntimeError(f"The process manager stopped:\n{_tail(settings.var_dir / 'logs' / 'supervisord.log')}")
        for name in given_up(settings):
            raise RuntimeError(
                f"The {name} server stopped while starting:\n{_tail(settings.var_dir / 'logs' / f'{name}.log')}"
            )
        if healthy(settings):
            return
        time.sleep(0.5)
    raise RuntimeError(f"The assistant was not ready after {waits} seconds. See {settings.var_dir / 'logs'}.")


def _migrate(settings: Settings) -> None:
    """Bring the assistant's tables up to date once, before the servers start and use them."""
    from storage.engine import ensure_database
    from storage.schema import ASSISTANT, BRANCHES, open_database

    ensure_database(settings.database_url)  # a PostgreSQL database on first start

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
    try:  # every setting checked before anything starts: a mistake is one clear line, not a traceback
        settings = load_settings()
        load_open311_settings()
        load_webhook_settings()
        load_notify_settings()
    except SettingsError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    print("Starting the council contact assistant (this takes about 30 seconds)...", flush=True)
    _migrate(settings)
    demo = _demo_users(settings)
    manager = start(settings)
    stopping = False

    def _request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    try:
        wait_until_ready(settings, manager)
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
        # supervisord restarts a server that stops; the launcher stops only if supervisord does.
        while not stopping:
            for name in given_up(settings):  # a dependency was away for a while: try again
                with contextlib.suppress(OSError, xmlrpc.client.Error):
                    supervisor_rpc(settings.var_dir).supervisor.startProcess(name, False)
            if manager.poll() is not None:
                log = _tail(settings.var_dir / "logs" / "supervisord.log")
                print(f"The process manager stopped:\n{log}", file=sys.stderr)
                return 1
            time.sleep(1)
        return 0
    except RuntimeError as error:
        if not stopping:
            print(str(error), file=sys.stderr)
            return 1
        return 0
    finally:
        print("Stopping...", flush=True)
        stop(manager)
        print("Stopped.", flush=True)
