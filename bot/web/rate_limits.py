"""Rate limits on the web app's open doors: signing in and the chat form.

Counted in this process's memory in the embedded profile (``bot/web/moving_window.py``: one web
app process holds every count; a restart starts them again), and with the ``limits`` library in
Redis in the scale-out, where every web process must see the same counts (or each would allow the
limit again). The limits are settings (``wiring/settings.py``), in the library's words such as
``10/minute``:

- sign-in tries per client address (every try counts);
- wrong passwords per client address and username: that pair then waits, but the adviser, from
  their own computer, can still sign in; so nobody can keep an adviser out by guessing;
- wrong passwords per username from anywhere (higher; slows guessing spread over many addresses);
- chat messages per chat and per client address (generous: a library or office shares one address).

A refused request gets 429 with a ``Retry-After`` header and a plain message: a page for people,
``{"error": ...}`` for callers that asked for JSON. The same words whether a username exists or not.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Sequence

from aiohttp import web
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.web.chat_session import chat_id_of
from bot.web.moving_window import MemoryMovingWindow
from bot.web.rendering import render
from bot.web.staff_auth import sign_in_token
from wiring.settings import Settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CHAT_TOO_FAST = (
    "You have sent a lot of messages very quickly. Please wait a minute, then send your message again. "
    "If someone is in danger now, call 999."
)


def sign_in_too_fast(seconds: int) -> str:
    """The sign-in refusal, in minutes where that reads better."""
    wait = f"{math.ceil(seconds / 60)} minutes" if seconds > 90 else "a minute"
    return f"There have been too many tries to sign in. Please wait {wait}, then try again."


@dataclass(frozen=True)
class _Rule:
    """One limit, and what its counts are kept under."""

    name: str
    items: Sequence[RateLimitItem]


class RateLimits:
    """The web app's limits and their counts."""

    def __init__(self, settings: Settings) -> None:
        scale = settings.scale
        self._limiter: MovingWindowRateLimiter | MemoryMovingWindow = MemoryMovingWindow()
        if scale:
            # Kept here: the limiter holds only a weak reference to its storage.
            self._storage: Storage = storage_from_string(scale.redis_url)
            self._limiter = MovingWindowRateLimiter(self._storage)
        # Behind the scale-out's balancer, which replaces any X-Forwarded-For with the client's address.
        self.behind_balancer = scale is not None
        prefix = f"{scale.redis_prefix}:" if scale else ""  # deployments sharing a Redis count apart
        self.sign_in_tries = _Rule(f"{prefix}sign-in", parse_many(settings.sign_in_limit))
        self.failures_per_client = _Rule(f"{prefix}failed-client", parse_many(settings.sign_in_failures_per_client))
        self.failures_per_username = _Rule(f"{prefix}failed-user", parse_many(settings.sign_in_failures_per_username))
        self.chat_per_chat = _Rule(f"{prefix}chat", parse_many(settings.chat_limit_per_chat))
        self.chat_per_client = _Rule(f"{prefix}chat-client", parse_many(settings.chat_limit_per_client))

    def take(self, rule: _Rule, *key: str) -> int:
        """Count one request under ``rule``; 0 if allowed, else the seconds to wait."""
        refused = [item for item in rule.items if not self._limiter.hit(item, rule.name, *key)]
        return max((self._wait(item, rule.name, *key) for item in refused), default=0)

    def waiting(self, rule: _Rule, *key: str) -> int:
        """The seconds ``key`` must still wait under ``rule`` (0: go ahead), counting nothing."""
        refused = [item for item in rule.items if not self._limiter.test(item, rule.name, *key)]
        return max((self._wait(item, rule.name, *key) for item in refused), default=0)

    def _wait(self, item: RateLimitItem, *key: str) -> int:
        reset_at, _ = self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(reset_at - time.time()))

    def sign_in_wait(self, client: str, username: str) -> int:
        """Seconds before this client may try this username again (0: now)."""
        name = _username(username)
        return max(self.waiting(self.failures_per_client, client, name), self.waiting(self.failures_per_username, name))

    def sign_in_failed(self, client: str, username: str) -> None:
        """Count a wrong password (or unknown name: counted alike, so the counts reveal nothing)."""
        name = _username(username)
        self.take(self.failures_per_client, client, name)
        self.take(self.failures_per_username, name)


RATE_LIMITS = web.AppKey("rate_limits", RateLimits)


def _username(raw: str) -> str:
    return raw.strip().lower()[:64]


def client_address(request: web.Request) -> str:
    """Who is asking, as the connection shows it; behind the scale-out's own balancer, as the
    balancer says (it overwrites the header, so a client cannot choose its own address)."""
    if request.app[RATE_LIMITS].behind_balancer:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.remote or "unknown"


def too_many(request: web.Request, message: str, seconds: int, page: Callable[[], web.Response]) -> web.Response:
    """429 with ``Retry-After``: JSON for callers that asked for it, else the ``page``."""
    if "application/json" in request.headers.get("Accept", ""):
        response = web.json_response({"error": message}, status=429)
    else:
        response = page()
    response.headers["Retry-After"] = str(seconds)
    return response


def _chat_page(request: web.Request) -> web.Response:
    return render(
        request, "chat.html", status=429, lines=[], problem=CHAT_TOO_FAST, live={"state": "none"}, last_live=0,
        turn_start=0, exit_this_page=False, safety_routes=False,
    )  # fmt: skip


def _sign_in_page(request: web.Request, message: str) -> web.Response:
    token = sign_in_token(request)
    return render(request, "staff/sign_in.html", status=429, csrf_token=token, next="/staff", error=message)


@web.middleware
async def rate_limited(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse chat messages and sign-in tries over their limits, before any work is done for them."""
    if request.method == "POST" and request.path == "/":
        limits, client = request.app[RATE_LIMITS], client_address(request)
        chat_id = chat_id_of(request)
        wait = max(
            limits.take(limits.chat_per_client, client),
            limits.take(limits.chat_per_chat, chat_id) if chat_id else 0,
        )
        if wait:
            return too_many(request, CHAT_TOO_FAST, wait, lambda: _chat_page(request))
    elif request.method == "POST" and request.path == "/staff/sign-in":
        limits = request.app[RATE_LIMITS]
        wait = limits.take(limits.sign_in_tries, client_address(request))
        if wait:
            message = sign_in_too_fast(wait)
            return too_many(request, message, wait, lambda: _sign_in_page(request, message))
    return await handler(request)
