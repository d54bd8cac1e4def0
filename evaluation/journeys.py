"""Resident journeys, played through the running assistant: ``python -m evaluation.journeys``.

Each journey in ``evaluation/journeys/*.yml`` is one resident with a goal and a fixed script (the
format and the goal checks are described in ``evaluation/journey_checks.py`` and
``evaluation/journeys/README.md``). The runner starts the whole assistant (``python -m bot run``) on
spare ports twice, with the council's real opening hours and the assistant's clock set
(``COUNCIL_CLOCK``): on a Tuesday late morning, with an adviser signed in for live chat, for the
``hours: in`` journeys, and on the Saturday evening before for the ``hours: out`` ones. With
``--url-rasa URL`` it plays the chosen journeys (``--hours``) against an assistant already running,
whatever its clock. Each journey gets a fresh sender id.

It reports the share of journeys that reach their goal (and the first failed check of each that does
not), the share of bot turns that are fallbacks, the questions asked a third time in one journey,
messages per bot turn (the most, and the turns over 3, or 4 for a turn naming 999) and the words in
the longest turn. The report is printed and saved to ``var/journeys.json``. Exit status 0, or 1 with
``--strict`` when a target is missed (at least 95% goals, at most 3% fallback turns, no third-time
questions, no turn over the message budget).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.launcher import free_port, stop_launched, web_is_healthy
from evaluation.journey_checks import (
    Journey,
    JourneyResult,
    Summary,
    Turn,
    bot_messages,
    load_journeys,
    score,
    summarise,
)

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "evaluation" / "journeys"
REPORT = ROOT / "var" / "journeys.json"
CHANNELS = ROOT / "data" / "catalogue" / "channels.yml"
START_TIMEOUT = 240


# The assistant's clock for each kind of journey (``COUNCIL_CLOCK``), with the council's real
# opening hours: a Tuesday late morning in December, and the Saturday evening before it.
CLOCKS = {"in": "2026-12-08T11:00:00+00:00", "out": "2026-12-05T19:30:00+00:00"}
ADVISER = "journeys-adviser"  # made for each run with a random password, on duty for live chat in hours


def add_adviser(env: dict[str, str]) -> tuple[str, str]:
    """Make the run's adviser account with ``python -m bot users`` (as a council would); its sign-in."""
    password = secrets.token_urlsafe(16)
    subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", ADVISER, "--name", "Jo Adviser"],
        cwd=ROOT, env=dict(env, COUNCIL_NEW_PASSWORD=password), check=True, capture_output=True,
    )  # fmt: skip
    return ADVISER, password


def adviser_on_duty(web_url: str, username: str, password: str) -> None:
    """Sign an adviser in on the staff pages and mark them available for live chat, as a person would."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def form_token(path: str) -> str:
        with browser.open(web_url + path, timeout=30) as page:
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
        if found is None:
            raise RuntimeError(f"no form on {path}")
        return found.group(1)

    def submit(path: str, fields: dict[str, str]) -> None:
        browser.open(web_url + path, data=urllib.parse.urlencode(fields).encode(), timeout=30).close()

    submit("/staff/sign-in", {"csrf_token": form_token("/staff/sign-in"), "username": username, "password": password})
    submit("/staff/availability", {"csrf_token": form_token("/staff"), "available": "yes"})


@contextmanager
def running_assistant(hours: str, var_dir: Path) -> Iterator[str]:
    """Start ``python -m bot run`` on spare ports with its clock set ``hours`` ("in" or "out") of
    office hours, and yield its Rasa URL. In hours an adviser is on duty for live chat."""
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    for name in ("COUNCIL_DATABASE_URL", "COUNCIL_MONITORING_DATABASE_URL", "RASA_TRACKER_DB"):
        env.pop(name, None)
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(actions_port),
            "WEB_PORT": str(web_port),
            "VAR_DIR": str(var_dir),
            "PYTHONPATH": str(ROOT),
            "COUNCIL_CHANNELS_FILE": str(CHANNELS),
            "COUNCIL_CLOCK": CLOCKS[hours],
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    var_dir.mkdir(parents=True, exist_ok=True)
    adviser = add_adviser(env) if hours == "in" else None
    with (var_dir / "launcher.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    web_url = f"http://127.0.0.1:{web_port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not web_is_healthy(web_url):
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (var_dir / "launcher.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"The assistant did not start:\n{log_text}")
            time.sleep(0.5)
        if adviser is not None:
            adviser_on_duty(web_url, *adviser)
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        stop_launched(process)


def say(rasa_url: str, sender: str, message: str) -> list[dict[str, Any]]:
    """Send one message on Rasa's REST channel and return the bot's replies."""
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        body = json.loads(answer.read())
    if not isinstance(body, list):
        raise ValueError(f"unexpected reply {body!r}")
    return body


def play(rasa_url: str, journey: Journey) -> JourneyResult:
    """Play one journey's script as a new resident and score it."""
    sender = f"journey-{journey.id}-{uuid.uuid4().hex[:8]}"
    turns: list[Turn] = []
    try:
        for message in journey.turns:
            turns.append(Turn(said=message, replies=bot_messages(say(rasa_url, sender, message))))
    except (OSError, ValueError) as error:
        return score(journey, turns, error=str(error))
    return score(journey, turns)


def play_all(rasa_url: str, journeys: list[Journey], verbose: bool = False) -> list[JourneyResult]:
    """Play each journey in turn."""
    results = []
    for journey in journeys:
        result = play(rasa_url, journey)
        results.append(result)
        if verbose:
            print(f"  {'ok  ' if result.reached_goal else 'FAIL'} {journey.id}", flush=True)
    return results


def play_suite(journeys: list[Journey], verbose: bool = False) -> list[JourneyResult]:
    """Start the assistant in and out of office hours in turn, and play each kind's journeys."""
    results: list[JourneyResult] = []
    with tempfile.TemporaryDirectory(prefix="journeys-") as scratch:
        for hours in ("in", "out"):
            chosen = [journey for journey in journeys if journey.hours == hours]
            if not chosen:
                continue
            print(f"Starting the assistant ({hours} of hours, {CLOCKS[hours]}): {len(chosen)} journeys", flush=True)
            with running_assistant(hours, Path(scratch) / f"var-{hours}") as rasa_url:
                results.extend(play_all(rasa_url, chosen, verbose))
    return results


def format_report(summary: Summary, seconds: float, counts: dict[str, int]) -> str:
    """The report for a person to read."""
    hours = ", ".join(f"{count} {name} of hours" for name, count in counts.items() if count)
    lines = [
        f"Resident journeys: {summary.journeys} ({hours}), {seconds:.0f} s",
        f"  goals reached        {summary.reached_goal}/{summary.journeys} ({summary.goal_share:.0%}; target >= 95%)",
        f"  fallback turns       {summary.fallback_turns}/{summary.bot_turns} ({summary.fallback_share:.1%};"
        " target <= 3%)",
        f"  silent turns         {summary.silent_turns} (the resident got no reply at all)",
        f"  third-time questions {summary.third_time_questions} (target 0)",
        f"  messages per turn    max {summary.max_messages_per_turn}; over budget {summary.turns_over_budget}"
        f" ({summary.share_over_budget:.1%}; target 0)",
        f"  longest turn         {summary.longest_turn_words} words",
    ]
    if summary.failing:
        lines.append("Journeys that did not reach their goal:")
        lines.extend(f"  {name}: {check}" for name, check in summary.failing)
    lines.append("Targets: " + ("all met" if not summary.targets_missed else "; ".join(summary.targets_missed)))
    return "\n".join(lines)


def _result_json(result: JourneyResult) -> dict[str, Any]:
    data = asdict(result)
    data["journey"] = {"id": result.journey.id, "who": result.journey.who, "hours": result.journey.hours}
    data["turns"] = [{"said": turn.said, "replies": [asdict(reply) for reply in turn.replies]} for turn in result.turns]
    return data


def main(argv: list[str] | None = None) -> int:
    """Play the journeys, print the report, save it; the exit status follows ``--strict``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url-rasa", help="play against this running assistant's Rasa server instead")
    parser.add_argument("--hours", choices=("in", "out", "all"), default="all", help="which journeys to play")
    parser.add_argument("--only", action="append", default=[], help="play only this journey id (repeatable)")
    parser.add_argument("--journeys", type=Path, default=JOURNEYS, help="folder of journey files")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to save the JSON report")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each journey as it finishes")
    args = parser.parse_args(argv)

    journeys = [
        journey
        for journey in load_journeys(args.journeys)
        if args.hours in ("all", journey.hours) and (not args.only or journey.id in args.only)
    ]
    started = time.monotonic()
    if args.url_rasa:
        results = play_all(args.url_rasa.rstrip("/"), journeys, args.verbose)
    else:
        results = play_suite(journeys, args.verbose)
    seconds = time.monotonic() - started
    summary = summarise(results)
    counts = {hours: sum(1 for result in results if result.journey.hours == hours) for hours in ("in", "out")}
    print(format_report(summary, seconds, counts))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(
        json.dumps(
            {"seconds": round(seconds, 1), "summary": asdict(summary), "journeys": [_result_json(r) for r in results]},
            indent=2,
        )
    )
    print(f"Saved to {args.report}")
    return 1 if args.strict and summary.targets_missed else 0


if __name__ == "__main__":
    sys.exit(main())
