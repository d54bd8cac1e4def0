"""A stock ``rasa init`` bot to measure this assistant against: built once under ``var/stock-bot/``
with the project's own Rasa (its default config: sparse features and DIET, so nothing is downloaded),
trained once and kept, then run with ``rasa run --enable-api``, its default in-memory tracker store
and the REST channel. ``BENCH_STOCK_PORT`` sets its port (a free one otherwise)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.launcher import STOP_TIMEOUT_SECONDS, free_port

READY_TIMEOUT_SECONDS = 240
TRAIN_TIMEOUT_SECONDS = 1800


def _rasa() -> str:
    """The Rasa command of the venv this benchmark runs in."""
    return str(Path(sys.executable).with_name("rasa"))


def _environment() -> dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("PYTHONPATH", None)  # the stock bot must not find this project's modules
    return env


def built(directory: Path) -> Path:
    """The stock bot's trained model in ``directory``, making the project and training it if needed."""
    model = _model(directory)
    if model is not None:
        return model
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "build.log"
    print(f"Building the stock 'rasa init' bot in {directory} (once; training takes a few minutes)...", flush=True)
    with log.open("ab") as out:
        if not (directory / "config.yml").exists():
            subprocess.run(
                [_rasa(), "init", "--no-prompt", "--init-dir", str(directory)],
                cwd=directory, env=_environment(), stdout=out, stderr=subprocess.STDOUT,
                timeout=TRAIN_TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
        if _model(directory) is None:  # made but not trained (a run stopped half-way, say)
            subprocess.run(
                [_rasa(), "train"], cwd=directory, env=_environment(), stdout=out, stderr=subprocess.STDOUT,
                timeout=TRAIN_TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
    model = _model(directory)
    if model is None:
        raise SystemExit(f"The stock bot did not train: see {log}")
    return model


def _model(directory: Path) -> Path | None:
    models = sorted((directory / "models").glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return models[-1] if models else None


@dataclass
class StockBot:
    """A running stock bot: its REST webhook and its process."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"


def start(directory: Path) -> StockBot:
    """Start the stock bot (building it first if needed) and wait until it answers a message."""
    model = built(directory)
    port = int(os.environ.get("BENCH_STOCK_PORT") or free_port())
    command = [
        _rasa(), "run", "--enable-api", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port),
        "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
    ]  # fmt: skip
    with (directory / "run.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=directory, env=_environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    bot = StockBot(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not _answers(bot):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(bot)
            raise SystemExit(f"The stock bot did not start: see {directory / 'run.log'}")
        time.sleep(0.5)
    return bot


def _answers(bot: StockBot) -> bool:
    """Whether the bot has its model loaded: a greeting gets a reply."""
    body = json.dumps({"sender": "bench-stock-ready", "message": "hello"}).encode()
    request = urllib.request.Request(bot.webhook, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return bool(answer.status == 200 and json.loads(answer.read()))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def stop(bot: StockBot) -> None:
    """Stop the stock bot (SIGINT, as Ctrl-C would), forcing it if it will not."""
    if bot.process.poll() is None:
        bot.process.send_signal(signal.SIGINT)
    try:
        bot.process.wait(timeout=STOP_TIMEOUT_SECONDS * 2)
    except subprocess.TimeoutExpired:
        os.killpg(bot.process.pid, signal.SIGKILL)
        bot.process.wait()
