"""The scale-out profile's throughput beside the stock bot's (``python -m bench scaled``, and part
of ``make bench``).

It starts ``python -m bot run`` with ``COUNCIL_PROFILE=scaled`` on the machine's PostgreSQL, Redis
and RabbitMQ, under names of its own that are removed afterwards (``wiring.scratch_deployment``),
and the stock ``rasa init`` bot; then many residents at once hold six-turn task conversations with
each in alternating rounds, through the Rasa balancer and the stock bot's REST channel. Where a
service is not running it says so and measures nothing. Ports: ``BENCH_SCALED_PORTS_FROM`` (6600:
Rasa's balancer there, the action servers' at +10, the web apps' at +20).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import stock_bot
from bench.figures import BotSamples, Memory, memory_from_status, scaled_section
from bench.side_by_side import ASSISTANT, STOCK, Config, many_residents, warm_up
from bot.launcher import SCALED_READY_TIMEOUT_SECONDS, stop_launched, supervisor_rpc
from wiring.scratch_deployment import ScratchDeployment, missing_service
from wiring.settings import PROJECT_ROOT

RASA_PROCESSES = 2  # the profile's default (COUNCIL_RASA_PROCESSES)


def run(stock_dir: Path, config: Config | None = None) -> dict[str, Any]:
    """Start the scale-out and the stock bot, run the alternating rounds, and return the figures."""
    config = config or Config.from_env()
    missing = missing_service()
    if missing:
        return {"skipped": missing}
    deployment = ScratchDeployment.new("bench")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-scaled-"))
    ports_from = int(os.environ.get("BENCH_SCALED_PORTS_FROM", "6600"))
    try:
        launched = _start(deployment, var_dir, ports_from)
        try:
            bot = stock_bot.start(stock_dir)
            try:
                ours, theirs = asyncio.run(_rounds(f"http://127.0.0.1:{ports_from}", bot, config))
            finally:
                stock_bot.stop(bot)
            memory = _rasa_memory(var_dir)
        finally:
            stop_launched(launched)
    finally:
        deployment.remove()
    settings = {**asdict(config), "rasa_processes": RASA_PROCESSES}
    return scaled_section(ours, theirs, memory, settings)


def _start(deployment: ScratchDeployment, var_dir: Path, ports_from: int) -> subprocess.Popen[bytes]:
    """``python -m bot run`` on the scale-out profile, waited for until it says it is running."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), VAR_DIR=str(var_dir), **deployment.environment())
    env.update(RASA_PORT=str(ports_from), ACTIONS_PORT=str(ports_from + 10), WEB_PORT=str(ports_from + 20))
    log_path = var_dir / "launcher.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    print("Starting the scale-out for the benchmark...", flush=True)
    deadline = time.monotonic() + SCALED_READY_TIMEOUT_SECONDS
    while b"The assistant is running" not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_launched(process)
            raise SystemExit(f"The scale-out did not start for the benchmark: see {var_dir / 'logs'}")
        time.sleep(0.5)
    return process


async def _rounds(rasa_url: str, bot: stock_bot.StockBot, config: Config) -> tuple[BotSamples, BotSamples]:
    rest = f"{rasa_url}/webhooks/rest/webhook"
    ours, theirs = BotSamples(), BotSamples()
    await warm_up(rest, ASSISTANT)
    await warm_up(bot.webhook, STOCK)
    for number in range(1, config.rounds + 1):
        print(f"Scale-out against the stock bot, round {number} of {config.rounds}...", flush=True)
        await many_residents(rest, ASSISTANT, config, ours)
        await many_residents(bot.webhook, STOCK, config, theirs)
    return ours, theirs


def _rasa_memory(var_dir: Path) -> Memory | None:
    """The Rasa processes' memory, added together."""
    total: Memory = {"vm_rss_mib": 0.0, "vm_hwm_mib": 0.0}
    for number in range(1, RASA_PROCESSES + 1):
        try:
            pid = int(supervisor_rpc(var_dir).supervisor.getProcessInfo(f"rasa-{number}")["pid"])
            memory = memory_from_status(Path(f"/proc/{pid}/status").read_text())
        except (OSError, xmlrpc.client.Error, KeyError, ValueError):
            return None
        if memory is None:
            return None
        total = {
            "vm_rss_mib": total["vm_rss_mib"] + memory["vm_rss_mib"],
            "vm_hwm_mib": total["vm_hwm_mib"] + memory["vm_hwm_mib"],
        }
    return total
