"""Bounded fuzzing of every public input of a running assistant, over loopback only.

A seeded generator (``random.Random(seed)``: the same seed sends the same requests) builds hostile
requests for each public input: the chat form, Rasa's REST webhook, the live-chat poll and stream,
the staff sign-in, pages and JSON API (signed out, signed in, with wrong CSRF tokens), the
dashboard's filters, its CSV export and report, and odd methods on any of them. The values are
empty, huge (up to the size limits and past them), emoji, right-to-left, zero-width and combining
characters, NUL and control characters, HTML and script, SQL-looking text, path traversal, format
strings, wrong JSON types, deep nesting, unknown ids and invalid UTF-8.

Requests are written byte for byte on a raw socket (an HTTP client library would refuse or tidy
the odd ones). Each answer is checked: no 5xx, and nothing internal in the body (a traceback, a
source path, an exception's class name, a database error). The figures say how many requests each
input got, the status codes seen and every problem found.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from evaluation.fuzz_inputs import Generator, Probe, encode
from evaluation.staff_access import StaffAccess

# --- sending and checking ----------------------------------------------------------------------

LEAKS = (
    ("a traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("a source path", re.compile(r"File \"/|site-packages|/work/|\.py\", line \d")),
    ("an exception's class name", re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b(?!-)")),
    ("a database error", re.compile(r"sqlalchemy|sqlite3\.|psycopg|\[SQL: |Background on this error", re.I)),
)


@dataclass(frozen=True)
class Answer:
    """What came back: the status (None when nothing did), the body, and why nothing did."""

    status: int | None
    body: bytes
    failure: str | None = None


def _dechunk(body: bytes) -> bytes:
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


async def send(host: str, port: int, probe: Probe, timeout: float = 120.0) -> Answer:
    """Send ``probe`` byte for byte on a new connection and read the answer."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except (OSError, asyncio.TimeoutError) as error:
        return Answer(None, b"", f"no connection: {error!r}")
    head = [b"%s %s HTTP/1.1" % (encode(probe.method), encode(probe.path)), b"Host: %s:%d" % (host.encode(), port)]
    # Line breaks in a value would end the head early and leave the connection waiting.
    head += [b"%s: %s" % (encode(name), encode(re.sub(r"[\r\n]", " ", value))) for name, value in probe.headers]
    head += [b"Content-Length: %d" % len(probe.body), b"Connection: close"]
    try:
        try:
            writer.write(b"\r\n".join(head) + b"\r\n\r\n" + probe.body)
            await writer.drain()
        except OSError:
            pass  # the server may answer (413) and hang up before taking a whole oversized body
        if probe.stream:
            raw = await _read_start(reader)
        else:
            raw = await asyncio.wait_for(reader.read(), timeout)
    except asyncio.TimeoutError:
        return Answer(None, b"", f"no answer within {timeout:.0f} s")
    except OSError as error:
        return Answer(None, b"", f"connection dropped: {error!r}")
    finally:
        writer.close()
    header, _, body = raw.partition(b"\r\n\r\n")
    status_line = header.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        return Answer(None, raw, "no HTTP status line in the answer")
    if b"transfer-encoding: chunked" in header.lower():
        body = _dechunk(body)
    return Answer(int(status_line[1]), body)


async def _read_start(reader: asyncio.StreamReader, seconds: float = 1.5) -> bytes:
    """An event stream's first part: its headers and what it sends in ``seconds`` (then hang up)."""
    raw = bytearray()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.05, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if not chunk:
            break
        raw += chunk
    return bytes(raw)


def problems(answer: Answer) -> list[str]:
    """What is wrong with an answer: a 5xx, no answer at all, or internal detail in the body."""
    found = []
    if answer.status is None:
        found.append(answer.failure or "no answer")
    elif answer.status >= 500:
        found.append(f"status {answer.status}")
    text = answer.body.decode("utf-8", "replace")
    found += [f"{what} in the body" for what, pattern in LEAKS if pattern.search(text)]
    return found


@dataclass
class Figures:
    """What a run sent and what came back."""

    sent: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def record(self, probe: Probe, answer: Answer, seconds: float = 0.0) -> None:
        """Count the answer, and keep a line about each problem in it (and the slowest requests)."""
        self.sent[probe.input] += 1
        self.slowest = sorted([*self.slowest, (seconds, f"{probe.input}: {probe.method} {probe.path[:60]}")])[-3:]
        status = str(answer.status) if answer.status is not None else "none"
        self.statuses.setdefault(probe.input, Counter())[status] += 1
        for problem in problems(answer):
            shown = probe.path if len(probe.path) < 120 else probe.path[:120] + "..."
            excerpt = answer.body[:300].decode("utf-8", "replace")
            self.errors.append(f"{probe.input}: {probe.method} {shown}: {problem}: {excerpt!r}")

    def report(self) -> str:
        """The figures, for a person: requests per input, status counts, and the errors found."""
        lines = [f"Fuzz: {sum(self.sent.values())} requests in {self.seconds:.0f} s, {len(self.errors)} errors found"]
        for name in sorted(self.sent):
            counts = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses[name].items()))
            lines.append(f"  {name:<26} {self.sent[name]:>6} sent   {counts}")
        lines += [f"  slow: {seconds:.1f} s {what}" for seconds, what in reversed(self.slowest)]
        lines += [f"  ERROR {error}" for error in self.errors[:50]]
        return "\n".join(lines)


async def run(web_url: str, rasa_url: str, access: StaffAccess, count: int, seed: int, workers: int = 4) -> Figures:
    """Send ``count`` generated requests (``workers`` at a time) and return the figures."""
    figures = Figures()
    probes = Generator(seed, access).probes(count)
    places = {name: urlsplit(url) for name, url in (("web", web_url), ("rasa", rasa_url))}
    started = time.monotonic()

    async def worker() -> None:
        for probe in probes:  # one shared iterator: each probe is sent once
            place = places[probe.service]
            sent = time.monotonic()
            answer = await send(place.hostname or "127.0.0.1", place.port or 80, probe)
            figures.record(probe, answer, time.monotonic() - sent)

    await asyncio.gather(*(worker() for _ in range(workers)))
    figures.seconds = time.monotonic() - started
    return figures
