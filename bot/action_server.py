"""The action server, as the launcher starts it: on the internal interface, for Rasa only.

Rasa SDK's own server listens on every interface, takes any caller, and inflates a compressed
body whole. This one serves the same actions, but only to a caller with the action token (Rasa
sends it as ``?token=``, from ``endpoints.yml``), and refuses bodies that are too big, before or
after inflating, so a stranger cannot plant cases or bookings or exhaust its memory. It also puts
back the events a call leaves out because it was sent them before (``bot/conversation_deltas.py``).
"""

from __future__ import annotations

import logging
import secrets
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation_deltas import RESEND_STATUS, HeldConversations, MustResend
from wiring.kept_secrets import internal_tokens
from wiring.settings import load_settings

logger = logging.getLogger(__name__)

# Rasa sends the whole conversation with each call: a long one is a few hundred kilobytes.
MAX_BODY_BYTES = 4 * 1024 * 1024


def refuse(request: Request, token: str) -> HTTPResponse | None:
    """The answer for a call the server must not run, or None for one it may."""
    if request.path == "/health":
        return None  # says only "ok": the web app's health check reads it
    if not secrets.compare_digest(request.args.get("token", ""), token):
        return response.json({"error": "This server answers the assistant only."}, status=401)
    encoding = request.headers.get("Content-Encoding", "identity").lower()
    if encoding not in ("identity", "deflate"):
        return response.json({"error": "Unsupported content encoding."}, status=415)
    if encoding == "deflate" and not _inflates_within_limit(request.body or b""):
        return response.json({"error": "The request is too big."}, status=413)
    return None


def _inflates_within_limit(body: bytes) -> bool:
    """True when a deflated body is valid and inflates to at most ``MAX_BODY_BYTES``."""
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(body, MAX_BODY_BYTES)
    except zlib.error:
        return False
    return not inflater.unconsumed_tail


def complete(request: Request, held: HeldConversations) -> HTTPResponse | None:
    """Put back the events a call to an action left out, or ask Rasa to send it whole."""
    # Rasa sends its calls whole when it compresses them (``bot/rasa_server.py``), so a compressed
    # call is left to rasa-sdk. Sanic routes "/webhook/" to the same handler.
    if (
        request.path.rstrip("/") != "/webhook"
        or request.headers.get("Content-Encoding", "identity").lower() != "identity"
    ):
        return None
    try:
        call = request.json
    except InvalidUsage:  # a body that is not JSON: rasa-sdk answers it as before
        return None
    if not isinstance(call, dict):
        return None
    try:
        request.parsed_json = held.complete(call)  # type: ignore[assignment]
    except MustResend as reason:
        return response.json({"error": f"Send the whole conversation: {reason}."}, status=RESEND_STATUS)
    return None


def build_app(token: str) -> Sanic:
    """The action server's Sanic app, guarded by ``token``."""
    app = create_app("actions", cors_origins=[])
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    held = HeldConversations()

    @app.on_request
    async def guard(request: Request) -> HTTPResponse | None:
        return refuse(request, token) or complete(request, held)

    return app


def main() -> None:
    """Serve the actions until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    settings = load_settings()
    app = build_app(internal_tokens(settings).actions)
    logger.info("Action server listening on %s", settings.actions_url)
    app.run(settings.internal_host, settings.actions_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
