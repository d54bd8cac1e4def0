"""A real GOV.UK Notify for the tests, on a real port, speaking the part of the v2 API the sender uses
(docs.notifications.service.gov.uk, REST API): ``POST /v2/notifications/sms``, ``/email`` and
``/letter``, and ``GET /v2/notifications?reference=``.

Like Notify, it checks each request's JWT (HS256, ``iss`` the service id, ``iat`` within 30 seconds)
against the service id and secret in the API key it hands out, refuses a bad one with 403, and
refuses a request without its required fields with 400. A test can make it misbehave on the next
POSTs (``fail_next``): answer 400 or 500, or make the notification and then hang past the client's
timeout (the request reached Notify; the sender never heard).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import jwt
from aiohttp import web

FAULTS = ("400", "500", "store_then_hang")
REQUIRED = {"sms": ("phone_number", "template_id"), "email": ("email_address", "template_id")}
REQUIRED["letter"] = ("template_id", "personalisation")


@dataclass
class NotifyServer:
    """The server's state: its service and key, what it was sent, and the faults to come."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    url: str = ""
    notifications: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    hang_seconds: float = 5.0
    _faults: list[str] = field(default_factory=list)

    @property
    def api_key(self) -> str:
        """A key as Notify issues it: its name, the service id and the secret."""
        return f"test_key-{self.service_id}-{self.secret}"

    def fail_next(self, fault: str, times: int = 1) -> None:
        """Misbehave on the next ``times`` POSTs: ``400``, ``500`` or ``store_then_hang``."""
        assert fault in FAULTS
        self._faults.extend([fault] * times)

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post(r"/v2/notifications/{kind:sms|email|letter}", self._post)
        app.router.add_get("/v2/notifications", self._list)
        return app

    def _refusal(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(header[7:], self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims.get("iss") != self.service_id:
            return _error(403, "AuthError", "Invalid token: service not found")
        if abs(time.time() - float(claims.get("iat", 0))) > 30:
            return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return None

    async def _post(self, request: web.Request) -> web.StreamResponse:
        self.posts += 1
        refused = self._refusal(request)
        if refused is not None:
            return refused
        fault = self._faults.pop(0) if self._faults else None
        if fault == "400":
            return _error(400, "BadRequestError", "Can't send to this recipient using a team-only API key")
        if fault == "500":
            return _error(500, "Exception", "Internal server error")
        kind, body = request.match_info["kind"], await request.json()
        missing = [name for name in REQUIRED[kind] if not body.get(name)]
        if missing:
            return _error(400, "ValidationError", f"{missing[0]} is a required property")
        notification = {"id": str(uuid.uuid4()), "type": kind, **body}
        self.notifications.append(notification)
        if fault == "store_then_hang":
            await asyncio.sleep(self.hang_seconds)
        answer = {
            "id": notification["id"], "reference": body.get("reference"),
            "template": {"id": body["template_id"], "version": 1, "uri": f"{self.url}/v2/template/x"},
            "content": {"body": "...", "subject": "..."}, "uri": f"{self.url}/v2/notifications/{notification['id']}",
        }  # fmt: skip
        return web.json_response(answer, status=201)

    async def _list(self, request: web.Request) -> web.StreamResponse:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        reference = request.query.get("reference")
        found = [
            {"id": item["id"], "reference": item.get("reference"), "type": item["type"], "status": "created"}
            for item in reversed(self.notifications)
            if reference is None or item.get("reference") == reference
        ]
        return web.json_response({"notifications": found, "links": {"current": f"{self.url}/v2/notifications"}})


def _error(status: int, error: str, message: str) -> web.Response:
    """An error in Notify's shape."""
    return web.json_response({"status_code": status, "errors": [{"error": error, "message": message}]}, status=status)


@asynccontextmanager
async def serving(**options: Any) -> AsyncIterator[NotifyServer]:
    """A new Notify served on a free port of 127.0.0.1 in this event loop for the block."""
    server = NotifyServer(**options)
    runner = web.AppRunner(server.app(), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()
