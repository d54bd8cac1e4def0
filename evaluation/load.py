"""A load run against a running assistant: many residents chatting at once on the chat page, while an
adviser works the staff inbox and its API and a manager keeps loading the dashboard.

Each resident has a browser of its own (its own chat cookie) and plays real residents' messages
from ``evaluation/journeys`` one after another, posting the chat form as the page's script does
(``Accept: application/json``). A turn counts as an error unless it is a 200 with at least one bot
line, or the documented live-chat handoff (no bot line while the resident waits for, or talks to,
an adviser). Any staff or dashboard load that is not a 200 is an error too.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from statistics import quantiles
from typing import Any

import aiohttp

from evaluation.journey_checks import load_journeys
from evaluation.staff_access import SignedIn, StaffAccess

JOURNEYS = Path(__file__).resolve().parent / "journeys"

# The per-client rate limits on chat and sign-in, set far above what one test machine sends, so the
# run measures the assistant and not the limiter (every resident here comes from 127.0.0.1).
GENEROUS_LIMITS = {
    name: "100000/minute"
    for name in (
        "COUNCIL_CHAT_LIMIT_PER_CHAT",
        "COUNCIL_CHAT_LIMIT_PER_CLIENT",
        "COUNCIL_SIGN_IN_LIMIT",
        "COUNCIL_SIGN_IN_FAILURES_PER_CLIENT",
        "COUNCIL_SIGN_IN_FAILURES_PER_USERNAME",
    )
} | {"COUNCIL_LIVE_CHATS_PER_CLIENT": "100000"}


def scripts(residents: int, turns: int) -> list[list[str]]:
    """``residents`` scripts of ``turns`` messages: journeys played back to back, each resident
    starting at a different one (a resident with several errands)."""
    messages = [list(journey.turns) for journey in load_journeys(JOURNEYS)]
    out = []
    for resident in range(residents):
        script: list[str] = []
        source = cycle(messages[resident % len(messages) :] + messages[: resident % len(messages)])
        while len(script) < turns:
            script.extend(next(source))
        out.append(script[:turns])
    return out


@dataclass
class LoadFigures:
    """What the run did and how long each resident's turn took."""

    turn_seconds: list[float] = field(default_factory=list)
    handoffs: int = 0
    staff_loads: int = 0
    dashboard_loads: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, percent: int) -> float:
        """The turn time at ``percent`` (seconds)."""
        if len(self.turn_seconds) < 2:
            return self.turn_seconds[0] if self.turn_seconds else 0.0
        return quantiles(self.turn_seconds, n=100, method="inclusive")[percent - 1]

    def report(self) -> str:
        """The figures, for a person."""
        lines = [
            f"Load: {len(self.turn_seconds)} resident turns in {self.seconds:.0f} s "
            f"({self.handoffs} answered by the live-chat handoff), {len(self.errors)} errors",
            f"  turn time p50 {self.percentile(50):.2f} s, p95 {self.percentile(95):.2f} s, "
            f"max {max(self.turn_seconds, default=0):.2f} s",
            f"  staff inbox and API loads: {self.staff_loads}; dashboard loads: {self.dashboard_loads}",
        ]
        return "\n".join(lines + [f"  ERROR {error}" for error in self.errors[:30]])


def _jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # keep cookies from 127.0.0.1 (an IP address)


async def resident(web_url: str, number: int, script: list[str], figures: LoadFigures, pause: float = 0.0) -> None:
    """One resident's conversation on the chat page, turn by turn, reading and typing for about
    ``pause`` seconds before each message after the first (0: none; residents differ by up to half)."""
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(cookie_jar=_jar(), timeout=timeout) as browser:
        for turn, message in enumerate(script):
            if turn and pause:
                await asyncio.sleep(pause * (0.5 + (number % 11) / 10))
            field_name = "payload" if message.startswith("/") else "message"
            started = time.monotonic()
            try:
                async with browser.post(
                    f"{web_url}/", data={field_name: message}, headers={"Accept": "application/json"}
                ) as answer:
                    status, body = answer.status, await answer.text()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                figures.errors.append(f"resident {number}: {message!r}: no answer ({error!r})")
                continue
            figures.turn_seconds.append(time.monotonic() - started)
            problem = _turn_problem(status, body)
            if problem == "handoff":
                figures.handoffs += 1
            elif problem:
                figures.errors.append(f"resident {number}: {message!r}: {problem}")


def _turn_problem(status: int, body: str) -> str | None:
    """None for a good turn, "handoff" for the live-chat handoff, or what is wrong."""
    if status != 200:
        return f"status {status}: {body[:200]!r}"
    try:
        answer: Any = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return f"not a JSON object: {body[:200]!r}"
    if any(str(line.get("text") or "").strip() for line in answer.get("lines", [])):
        return None
    if (answer.get("live") or {}).get("state") in ("waiting", "with_adviser"):
        return "handoff"
    return f"no bot line: {body[:200]!r}"


async def _keep_loading(
    web_url: str, who: SignedIn, paths: list[str], done: asyncio.Event, figures: LoadFigures, kind: str
) -> None:
    """Load ``paths`` in turn as ``who`` (signed in) until ``done``; anything but a 200 is an error."""
    cookies = {"staff_session": who.session}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(cookie_jar=_jar(), cookies=cookies, timeout=timeout) as browser:
        for path in cycle(paths):
            if done.is_set():
                return
            try:
                async with browser.get(f"{web_url}{path}", allow_redirects=False) as answer:
                    status, body = answer.status, await answer.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                figures.errors.append(f"{kind} {path}: no answer ({error!r})")
                continue
            if status != 200:
                figures.errors.append(f"{kind} {path}: status {status}: {body[:200]!r}")
            if kind == "dashboard":
                figures.dashboard_loads += 1
            else:
                figures.staff_loads += 1
            await asyncio.sleep(0.5)  # a person reading the page, then loading the next


async def run(web_url: str, access: StaffAccess, residents: int, turns: int, pause: float = 0.0) -> LoadFigures:
    """``residents`` residents of ``turns`` turns each, all at once, with staff and a manager working
    (each resident ``pause`` seconds or so between turns, as ``resident`` says)."""
    figures = LoadFigures()
    done = asyncio.Event()
    case_pages = [f"/staff/cases/{reference}" for reference in access.references[:4]]
    inbox = ["/staff", "/api/v1/cases", *case_pages, "/api/v1/cases?status=queued"]
    dashboard = ["/dashboard", "/dashboard?start=2026-01-01&end=2026-12-31", "/dashboard/export/outcomes.csv"]
    started = time.monotonic()
    staff = [
        asyncio.create_task(_keep_loading(web_url, access.adviser, inbox, done, figures, "staff")),
        asyncio.create_task(_keep_loading(web_url, access.manager, dashboard, done, figures, "dashboard")),
    ]
    await asyncio.gather(
        *(resident(web_url, number, script, figures, pause) for number, script in enumerate(scripts(residents, turns)))
    )
    done.set()
    await asyncio.gather(*staff)
    figures.seconds = time.monotonic() - started
    return figures
