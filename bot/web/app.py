"""The web app factory: routes, shared resources opened and closed in the app's lifecycle."""

from __future__ import annotations

import logging
import secrets
from typing import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web

from bot.settings import PROJECT_ROOT, Settings
from bot.web.api import add_api_routes
from bot.web.rasa_client import RasaClient, RasaUnavailable
from bot.web.rendering import TEMPLATES, render, templates
from bot.web.staff_auth import ACCOUNTS, HANDOFFS, SECURE_COOKIES, SESSIONS
from bot.web.staff_pages import add_staff_routes
from routing.database import open_engine
from routing.handoffs import HandoffStore
from routing.hours import default_schedule
from routing.staff import StaffAccounts, StaffSessions

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RASA = web.AppKey("rasa", RasaClient)
CHAT_COOKIE = "chat_id"
MAX_FORM_MESSAGE = 2000
GOVUK_FRONTEND = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"


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
    return render(request, "chat.html", lines=lines, problem=problem)


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
            return render(
                request, "chat.html", status=503, lines=[],
                problem="Sorry, the assistant is not available just now. Please try again in a minute.",
            )  # fmt: skip
    response = web.HTTPSeeOther("/#latest")
    response.set_cookie(CHAT_COOKIE, chat_id, httponly=True, samesite="Lax", max_age=60 * 60)
    raise response


@web.middleware
async def staff_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors on staff pages as a readable page (the API keeps its JSON errors)."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or not request.path.startswith("/staff"):
            raise
        return render(request, "staff/problem.html", status=error.status, message=error.text or error.reason)


def create_app(settings: Settings) -> web.Application:
    """Build the web app for ``settings``."""
    app = web.Application(client_max_size=64 * 1024, middlewares=[staff_errors])
    app[TEMPLATES] = templates()
    app[SECURE_COOKIES] = settings.secure_cookies

    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = open_engine(settings.database_url)
        accounts = StaffAccounts(engine)
        app[ACCOUNTS] = accounts
        app[SESSIONS] = StaffSessions(engine, accounts)
        app[HANDOFFS] = HandoffStore(engine, default_schedule())
        yield
        engine.dispose()

    app.cleanup_ctx.append(database)

    async def rasa_client(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=30, connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            app[RASA] = RasaClient(session, settings.rasa_url, f"http://{settings.host}:{settings.actions_port}")
            yield

    app.cleanup_ctx.append(rasa_client)
    app.router.add_get("/health", health)
    app.router.add_get("/", chat_page)
    app.router.add_post("/", chat_post)
    add_staff_routes(app)
    add_api_routes(app)
    if GOVUK_FRONTEND.is_dir():
        app.router.add_static("/assets", GOVUK_FRONTEND / "assets")
        app.router.add_static("/govuk", GOVUK_FRONTEND)
    else:
        logger.warning("GOV.UK Frontend is not installed (run npm ci): pages will have no styles")
    return app
