"""The web app factory: routes, shared resources opened and closed in the app's lifecycle."""

from __future__ import annotations

import secrets
from typing import AsyncIterator

import aiohttp
import jinja2
from aiohttp import web

from bot.settings import Settings
from bot.web.rasa_client import RasaClient, RasaUnavailable

RASA = web.AppKey("rasa", RasaClient)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
CHAT_COOKIE = "chat_id"
MAX_FORM_MESSAGE = 2000


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )


def _render(request: web.Request, name: str, status: int = 200, **context: object) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(**context)
    return web.Response(text=html, content_type="text/html", status=status)


async def health(request: web.Request) -> web.Response:
    """200 when Rasa has a model and the action server answers; 503 with what is down otherwise."""
    status = await request.app[RASA].health()
    ok = all(value == "ok" for value in status.values())
    return web.json_response({"status": "ok" if ok else "unavailable", **status}, status=200 if ok else 503)


def _chat_id(request: web.Request) -> str | None:
    value = request.cookies.get(CHAT_COOKIE, "")
    return value if value.isalnum() and 16 <= len(value) <= 64 else None


async def chat_page(request: web.Request) -> web.Response:
    """The conversation so far and a box to type in. Works without JavaScript."""
    chat_id = _chat_id(request)
    lines = []
    problem = None
    if chat_id:
        try:
            lines = await request.app[RASA].transcript(chat_id)
        except RasaUnavailable:
            problem = "Sorry, the assistant is not available just now. Please try again in a minute."
    return _render(request, "chat.html", lines=lines, problem=problem)


async def chat_post(request: web.Request) -> web.StreamResponse:
    """Send the resident's message (or quick reply) to the bot, then show the page again."""
    form = await request.post()
    chat_id = _chat_id(request) or secrets.token_hex(16)
    payload = form.get("payload")
    message = form.get("message")
    title = form.get("button_title")
    text = payload if isinstance(payload, str) and payload.startswith("/") else message
    if isinstance(text, str) and text.strip():
        try:
            await request.app[RASA].send(
                chat_id, text[:MAX_FORM_MESSAGE], title=title if isinstance(title, str) else None
            )
        except RasaUnavailable:
            return _render(
                request, "chat.html", status=503, lines=[],
                problem="Sorry, the assistant is not available just now. Please try again in a minute.",
            )  # fmt: skip
    response = web.HTTPSeeOther("/#latest")
    response.set_cookie(CHAT_COOKIE, chat_id, httponly=True, samesite="Lax", max_age=60 * 60)
    raise response


def create_app(settings: Settings) -> web.Application:
    """Build the web app for ``settings``."""
    app = web.Application(client_max_size=64 * 1024)
    app[TEMPLATES] = _templates()

    async def rasa_client(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=30, connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            app[RASA] = RasaClient(session, settings.rasa_url, f"http://{settings.host}:{settings.actions_port}")
            yield

    app.cleanup_ctx.append(rasa_client)
    app.router.add_get("/health", health)
    app.router.add_get("/", chat_page)
    app.router.add_post("/", chat_post)
    return app
