"""``make bench``: bot-turn latency and throughput over the REST channel, this assistant side by side
with a stock ``rasa init`` bot (``bench/side_by_side.py``), and the dashboard's load time over a
million conversations (``bench/dashboard.py``).

Uses the assistant already running on ``RASA_PORT`` if there is one, otherwise starts one (with its
data in a temporary folder) and stops it afterwards. Figures are printed and saved to
``var/bench.json``. ``python -m bench side-by-side`` runs only the side-by-side part (and adds it to
the figures already saved); ``python -m bench dashboard`` only the dashboard's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import aiohttp

from bench import figures, side_by_side
from bench.figures import percentile
from bench.side_by_side import ASSISTANT, AssistantUnderTest
from bench.turns import rest_turn
from bot.launcher import healthy, stop_launched
from wiring.settings import PROJECT_ROOT, load_settings

# Small talk, no task: the greeting and "are you a robot" are domain responses; thanks and goodbye are
# small custom actions (each asks whether the resident got what they needed).
NO_ACTION_TURNS = ASSISTANT.small_talk
# A mixed conversation for the concurrent run: includes custom actions and a form.
MIXED_TURNS = ASSISTANT.task


async def one_user(url: str, turns: int) -> dict[str, float]:
    """Latency of turns with no custom action, one at a time (a new conversation every 8 turns)."""
    samples = []
    async with aiohttp.ClientSession() as session:
        for warm in range(10):
            await rest_turn(session, url, "bench-warm", NO_ACTION_TURNS[warm % len(NO_ACTION_TURNS)])
        for number in range(turns):
            sender = f"bench-single-{number // 8}"
            samples.append(await rest_turn(session, url, sender, NO_ACTION_TURNS[number % len(NO_ACTION_TURNS)]))
    return {"turns": turns, "p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


async def concurrent_users(url: str, users: int, rounds: int) -> dict[str, float]:
    """Throughput with ``users`` residents each holding ``rounds`` mixed conversations at once."""
    samples: list[float] = []

    async def resident(session: aiohttp.ClientSession, number: int) -> None:
        for conversation in range(rounds):
            for text in MIXED_TURNS:
                samples.append(await rest_turn(session, url, f"bench-user-{number}-{conversation}", text))

    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(resident(session, number) for number in range(users)))
        elapsed = time.perf_counter() - started
    return {
        "users": users,
        "turns": len(samples),
        "turns_per_second": len(samples) / elapsed,
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
    }


def _start_assistant(var_dir: str) -> subprocess.Popen[bytes]:
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
def running_assistant() -> Iterator[AssistantUnderTest]:
    """Where the running assistant is, starting one (and stopping it after) if none runs."""
    settings = load_settings()
    process = None
    var_dir = settings.var_dir
    if not healthy(settings):
        print("No assistant running: starting one...", flush=True)
        var_dir = Path(tempfile.mkdtemp(prefix="bench-var-"))
        process = _start_assistant(str(var_dir))
    try:
        yield AssistantUnderTest(settings.rasa_url, settings.web_url, var_dir)
    finally:
        if process is not None:
            stop_launched(process)


def _save(var_dir: Path, figures: dict[str, Any]) -> None:
    """Write ``figures`` to ``var/bench.json``, keeping any section of an earlier run they do not replace."""
    out = var_dir / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        earlier = json.loads(out.read_text())
    except (OSError, ValueError):
        earlier = {}
    out.write_text(json.dumps({**earlier, **figures}, indent=2))
    print(f"Saved to {out}")


def _side_by_side(assistant: AssistantUnderTest, var_dir: Path) -> dict[str, Any]:
    section = side_by_side.run(assistant, var_dir / "stock-bot")
    print("\n".join(figures.describe(section)))
    return section


def _scaled(var_dir: Path) -> dict[str, Any]:
    from bench import scaled

    section = scaled.run(var_dir / "stock-bot")
    print("\n".join(figures.describe_scaled(section)))
    return section


def main() -> int:
    """Run the benchmarks and print the figures (``python -m bench dashboard``, ``side-by-side`` or
    ``scaled``: one part)."""
    settings = load_settings()
    from bench import dashboard

    if sys.argv[1:] == ["dashboard"]:
        pages = dashboard.run()
        print("\n".join(dashboard.describe(pages)))
        return 0
    if sys.argv[1:] == ["scaled"]:
        _save(settings.var_dir, {"scaled": _scaled(settings.var_dir)})
        return 0
    if sys.argv[1:] == ["side-by-side"]:
        with running_assistant() as assistant:
            _save(settings.var_dir, {"side_by_side": _side_by_side(assistant, settings.var_dir)})
        return 0
    with running_assistant() as assistant:
        url = f"{assistant.rasa_url}/webhooks/rest/webhook"
        single = asyncio.run(one_user(url, turns=400))
        many = asyncio.run(concurrent_users(url, users=20, rounds=3))
        beside = _side_by_side(assistant, settings.var_dir)
    scale_out = _scaled(settings.var_dir)  # after the embedded assistant has stopped: a machine of its own
    from bench.parse_overhead import run as parse_overhead

    overhead = parse_overhead()
    pages = dashboard.run()
    results: dict[str, Any] = {
        "one_user_no_custom_action": single,
        "twenty_concurrent_users": many,
        "support_need_detector": overhead,
        "dashboard": pages,
        "side_by_side": beside,
        "scaled": scale_out,
    }
    print(f"One user, turns with no custom action: p50 {single['p50_ms']:.1f} ms, p95 {single['p95_ms']:.1f} ms")
    print(
        f"20 concurrent users, mixed turns: {many['turns_per_second']:.1f} turns/s, "
        f"p50 {many['p50_ms']:.1f} ms, p95 {many['p95_ms']:.1f} ms ({many['turns']} turns)"
    )
    print(
        f"Parse p50 with the support-need detector {overhead['parse_p50_ms_with_detector']:.2f} ms, "
        f"without {overhead['parse_p50_ms_without_detector']:.2f} ms "
        f"(adds {overhead['detector_adds_ms']:.2f} ms, {overhead['messages']:.0f} parses; "
        f"the detector's own step p50 {overhead['detector_own_p50_ms']:.2f} ms)"
    )
    print("\n".join(dashboard.describe(pages)))
    print("\n".join(figures.describe(beside)))  # again at the end, beside the other figures
    print("\n".join(figures.describe_scaled(scale_out)))
    _save(settings.var_dir, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
