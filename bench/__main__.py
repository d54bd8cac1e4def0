"""``make bench``: bot-turn latency and throughput over the REST channel, and the dashboard's load
time over a million conversations (``bench/dashboard.py``).

Uses the assistant already running on ``RASA_PORT`` if there is one, otherwise starts one (with its
data in a temporary folder) and stops it afterwards. Figures are printed and saved to
``var/bench.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from statistics import quantiles
from typing import Any, Iterator

import aiohttp

from bot.launcher import healthy
from wiring.settings import PROJECT_ROOT, load_settings

# Turns that call no custom action: the reply is a domain response chosen by a rule.
NO_ACTION_TURNS = ["hello", "thank you", "are you a robot", "bye"]
# A mixed conversation for the concurrent run: includes custom actions and a form.
MIXED_TURNS = ["hi", "i want to pay my council tax", "thanks", "when is my bin day", "SO17 1BJ", "bye"]


def _percentile(samples: list[float], percent: int) -> float:
    return quantiles(samples, n=100, method="inclusive")[percent - 1]


async def _turn(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as answer:
        await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status}")
    return (time.perf_counter() - started) * 1000


async def one_user(url: str, turns: int) -> dict[str, float]:
    """Latency of turns with no custom action, one at a time (a new conversation every 8 turns)."""
    samples = []
    async with aiohttp.ClientSession() as session:
        for warm in range(10):
            await _turn(session, url, "bench-warm", NO_ACTION_TURNS[warm % len(NO_ACTION_TURNS)])
        for number in range(turns):
            sender = f"bench-single-{number // 8}"
            samples.append(await _turn(session, url, sender, NO_ACTION_TURNS[number % len(NO_ACTION_TURNS)]))
    return {"turns": turns, "p50_ms": _percentile(samples, 50), "p95_ms": _percentile(samples, 95)}


async def concurrent_users(url: str, users: int, rounds: int) -> dict[str, float]:
    """Throughput with ``users`` residents each holding ``rounds`` mixed conversations at once."""
    samples: list[float] = []

    async def resident(session: aiohttp.ClientSession, number: int) -> None:
        for conversation in range(rounds):
            for text in MIXED_TURNS:
                samples.append(await _turn(session, url, f"bench-user-{number}-{conversation}", text))

    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(resident(session, number) for number in range(users)))
        elapsed = time.perf_counter() - started
    return {
        "users": users,
        "turns": len(samples),
        "turns_per_second": len(samples) / elapsed,
        "p50_ms": _percentile(samples, 50),
        "p95_ms": _percentile(samples, 95),
    }


def _start_assistant() -> subprocess.Popen[bytes]:
    var_dir = tempfile.mkdtemp(prefix="bench-var-")
    env = dict(os.environ, VAR_DIR=var_dir, PYTHONPATH=str(PROJECT_ROOT))
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env)
    settings = load_settings()
    deadline = time.monotonic() + 240
    while not healthy(settings):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("The assistant did not start for the benchmark.")
        time.sleep(0.5)
    return process


@contextmanager
def running_assistant() -> Iterator[str]:
    """The Rasa URL of the running assistant, starting one (and stopping it after) if none runs."""
    settings = load_settings()
    process = None
    if not healthy(settings):
        print("No assistant running: starting one...", flush=True)
        process = _start_assistant()
    try:
        yield settings.rasa_url
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)


def main() -> int:
    """Run the benchmarks and print the figures (``python -m bench dashboard``: the dashboard's only)."""
    settings = load_settings()
    from bench import dashboard

    if sys.argv[1:] == ["dashboard"]:
        figures = dashboard.run()
        print("\n".join(dashboard.describe(figures)))
        return 0
    with running_assistant() as rasa_url:
        url = f"{rasa_url}/webhooks/rest/webhook"
        single = asyncio.run(one_user(url, turns=400))
        many = asyncio.run(concurrent_users(url, users=20, rounds=3))
    from bench.parse_overhead import run as parse_overhead

    overhead = parse_overhead()
    pages = dashboard.run()
    results: dict[str, Any] = {
        "one_user_no_custom_action": single,
        "twenty_concurrent_users": many,
        "support_need_detector": overhead,
        "dashboard": pages,
    }
    print(f"One user, turns with no custom action: p50 {single['p50_ms']:.1f} ms, p95 {single['p95_ms']:.1f} ms")
    print(
        f"20 concurrent users, mixed turns: {many['turns_per_second']:.1f} turns/s, "
        f"p50 {many['p50_ms']:.1f} ms, p95 {many['p95_ms']:.1f} ms ({many['turns']} turns)"
    )
    print(
        f"Parse p50 with the support-need detector {overhead['parse_p50_ms_with_detector']:.2f} ms, "
        f"without {overhead['parse_p50_ms_without_detector']:.2f} ms "
        f"(adds {overhead['detector_adds_ms']:.2f} ms, {overhead['messages']:.0f} parses)"
    )
    print("\n".join(dashboard.describe(pages)))
    out = Path(settings.var_dir) / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Saved to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
