"""A real webhook receiver for the tests: an aiohttp server on a real port that checks each request's
signature the way a subscriber would, written from the Standard Webhooks spec
(https://www.standardwebhooks.com, "Verifying signatures") and not from the assistant's own signing
code.

It can be away (nothing listening on its port), answer a given status, or answer late.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from aiohttp import web

from tests.conftest import free_port

TOLERANCE_SECONDS = 5 * 60  # the spec's replay window


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> bool:
    """Whether ``body`` with these headers was signed with ``secret``, as the spec says to check:
    all three headers present, a timestamp within five minutes, and one ``v1`` signature among the
    space-separated ones equal (in constant time) to the base64 HMAC-SHA256, keyed with the base64
    after ``whsec_``, of ``id.timestamp.body``."""
    message_id, timestamp, signatures = (
        headers.get(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (message_id and timestamp and signatures) or not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.split("_", 1)[1] if secret.startswith("whsec_") else secret)
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    for given in signatures.split(" "):
        version, _, value = given.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


@dataclass
class Received:
    """One request the receiver took."""

    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The receiver's settings and what it has taken (answered or not)."""

    secret: str
    port: int = field(default_factory=free_port)
    answer: int = 200
    delay: float = 0.0  # seconds it takes before it answers
    received: list[Received] = field(default_factory=list)
    runner: web.AppRunner | None = None
    answering: int = 0  # requests it has taken and not yet answered

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    @property
    def delivered(self) -> list[Received]:
        """The requests it accepted (a 2xx answer)."""
        return [request for request in self.received if request.verified and 200 <= request.status < 300]

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        verified = verify(self.secret, request.headers, body)
        taken = Received(dict(request.headers), body, verified, self.answer if verified else 401)
        self.received.append(taken)
        self.answering += 1
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.answering -= 1
        return web.Response(status=taken.status)

    async def start(self) -> None:
        """Start listening on its port (again, after ``stop``)."""
        app = web.Application()
        app.router.add_post("/hooks", self._take)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening (once late answers are out): connections to its port are refused."""
        for _ in range(100):
            if not self.answering:
                break
            await asyncio.sleep(0.05)
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


class ReceiverInThread:
    """``receiver`` listening from an event loop of its own, in a thread of its own, for tests that
    are not async (those against the whole assistant)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.receiver.start(), self._loop).result(timeout=10)
        return self.receiver

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self.receiver.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
