"""The web app factory: routes, shared resources opened and closed in the app's lifecycle."""

from __future__ import annotations

import asyncio
import logging
import secrets
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from sqlalchemy.exc import DBAPIError

from bot.retention import keep_retention
from bot.web.api import add_api_routes
from bot.web.cases import CaseService
from bot.web.chat_session import (
    CHAT_IDLE_SECONDS,
    EXIT_TO,
    VIA_COOKIE,
    ForgottenChats,
    RedisForgottenChats,
    add_chat_session_routes,
    chat_id_of,
    remember_chat,
)
from bot.web.dashboard import add_dashboard_routes, keep_figures_fresh
from bot.web.keys import (
    ACCOUNTS,
    CASES,
    ENGINE,
    HANDOFFS,
    LIVE,
    OUTAGE,
    OUTCOMES,
    QUEUE_SHARES,
    RASA,
    SECURE_COOKIES,
    SESSIONS,
    SIGNALS,
    TEMPLATES,
)  # fmt: skip
from bot.web.live_chat import (
    add_live_chat_routes,
    end_abandoned_chats,
    live_chat_of,
    relay_resident_message,
    resident_live_state,
    resident_live_status,
)
from bot.web.live_signals import LiveSignals, RedisLiveSignals
from bot.web.rasa_client import TIMEOUT, BotMessage, RasaClient, RasaUnavailable, TranscriptLine
from bot.web.rate_limits import RATE_LIMITS, RateLimits, rate_limited
from bot.web.readable_bodies import readable_forms
from bot.web.reminders_seen import REMINDERS_SEEN, RemindersSeen
from bot.web.rendering import render, templates
from bot.web.report_pages import add_report_routes
from bot.web.staff_auth import token_lifetimes
from bot.web.staff_pages import add_staff_routes
from bot.web.update_pages import add_updates
from bot.web.webhook_pages import add_webhooks
from integrations.open311_sender import open311_sending
from monitoring.recorder import monitoring_engine, open_outcomes
from monitoring.thresholds import load_thresholds
from routing.catalogue import default_catalogue
from routing.contact_answers import outage_answer
from routing.live_chat import LIVE_CHAT, QueueShares
from routing.redaction import redact
from routing.split_cards import CardGuard
from storage.handoffs import HandoffStore
from storage.live_chat import LiveChats
from storage.schema import ASSISTANT, migrate_monitoring, open_database
from storage.staff import StaffAccounts, StaffSessions
from wiring.background import running
from wiring.kept_secrets import internal_tokens
from wiring.settings import PROJECT_ROOT, Settings, channel_schedule, start_clock

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_FORM_MESSAGE = 2000
DATABASE_BUSY = "The database is not answering just now. Please try again in a minute."
TURN_WAIT_SECONDS = 10  # then longer only if every part is up; the page's script shows the safe answer after 3 s
CHAT_COOKIE_SECONDS = CHAT_IDLE_SECONDS  # 30 minutes idle: a shared device soon forgets the chat
# Per conversation, the digits ending the last message, in memory only, to catch a card split over two.
CARDS = CardGuard()
GOVUK_FRONTEND = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"


async def health(request: web.Request) -> web.Response:
    """200 when Rasa has a model and the action server answers; 503 with what is down otherwise."""
    status = await request.app[RASA].health()
    ok = all(value == "ok" for value in status.values())
    return web.json_response({"status": "ok" if ok else "unavailable", **status}, status=200 if ok else 503)


async def chat_page(request: web.Request) -> web.Response:
    """The conversation so far and a box to type in. Works without JavaScript."""
    chat_id = chat_id_of(request)
    lines: list[TranscriptLine] = []
    problem = None
    live: dict[str, Any] = {"status": {"state": "none"}, "messages": []}
    if chat_id:
        try:
            lines = await request.app[RASA].transcript(chat_id)
        except RasaUnavailable:
            problem = request.app[OUTAGE]
        live = await resident_live_state(request, chat_id, 0)
    last_live = max((message["id"] for message in live["messages"]), default=0)
    # Quick replies are shown for the assistant's latest turn: every line after the resident's last.
    turn_start = max((i + 1 for i, line in enumerate(lines) if line["sender"] == "resident"), default=0)
    page = render(
        request, "chat.html", lines=lines, problem=problem, live=live["status"], last_live=last_live,
        turn_start=turn_start, exit_this_page=any(line["exit_this_page"] for line in lines),
        safety_routes=any(line["safety_routes"] for line in lines), outage=request.app[OUTAGE],
        chat_open=chat_id is not None, cleared=request.query.get("cleared") == "1", exit_to=EXIT_TO,
    )  # fmt: skip
    page.headers["Cache-Control"] = "no-store"  # Back after "Exit this page" must not show a stored copy
    if chat_id:
        remember_chat(page, chat_id)  # reading the chat counts as using it
    if request.query.get("via") == "embed":  # opened by static/embed.js on another council page
        page.set_cookie(VIA_COOKIE, "embed", httponly=True, samesite="Lax", max_age=CHAT_COOKIE_SECONDS)
    return page


async def chat_post(request: web.Request) -> web.StreamResponse:
    """Send the resident's message (or quick reply) to the bot, then show the page again.

    The page's script asks for JSON instead (``Accept: application/json``) and adds the replies
    itself, so focus stays in the message box.
    """
    form = await request.post()
    live_case = await live_chat_of(request, chat_id_of(request))  # read once: most turns have none
    chat_id = chat_id_of(request) or secrets.token_hex(16)
    payload = form.get("payload")
    message = form.get("message")
    if isinstance(message, str):  # card details out before the live chat relay or Rasa, then cut to length
        message = CARDS.redact(chat_id, message, MAX_FORM_MESSAGE).text
    title = form.get("button_title")
    title = redact(title).text if isinstance(title, str) else None
    text = payload if isinstance(payload, str) and payload.startswith("/") else message
    if isinstance(message, str) and message.strip() and live_case:
        if await relay_resident_message(request, live_case, chat_id, message):
            text = None  # a person holds the conversation: it went to them
    elif isinstance(payload, str) and payload.startswith("/") and live_case:
        text = None  # buttons from before the chat do nothing while a person holds it
    replies: list[BotMessage] = []
    wants_json = "application/json" in request.headers.get("Accept", "")
    if isinstance(text, str) and text.strip():
        turn = asyncio.create_task(
            request.app[RASA].send(
                chat_id, text[:MAX_FORM_MESSAGE], title=title,
                entry_channel="embed" if request.cookies.get(VIA_COOKIE) == "embed" else "web",
            )
        )  # fmt: skip
        turn.add_done_callback(lambda done: done.cancelled() or done.exception())  # a late failure is not news
        try:
            replies = await _answer_of(request, turn)
        except (RasaUnavailable, asyncio.TimeoutError):
            logger.warning("Rasa did not answer a resident's message")
            return outage_response(request, chat_id)
        # Silence while no person holds the chat, with a part down (the action server, say), is an
        # outage; a turn that rightly says nothing (a "/restart" payload) is not.
        silent = not any(reply.get("text") for reply in replies)
        if silent and await live_chat_of(request, chat_id) is None and await part_down(request):
            logger.warning("The assistant gave no answer to a resident's message: a part is down")
            return outage_response(request, chat_id)
    response: web.StreamResponse
    if wants_json:
        # Only a chat that was live, or a turn that put the resident in the queue, has a live state.
        live_now = live_case is not None or any((reply.get("custom") or {}).get(LIVE_CHAT) for reply in replies)
        live_status = await resident_live_status(request, chat_id) if live_now else {"state": "none"}
        lines = [
            {"sender": "assistant", "text": reply.get("text", ""), "buttons": reply.get("buttons") or []}
            for reply in replies
            if reply.get("text")
        ]
        signals = {
            signal: any((reply.get("custom") or {}).get(signal) for reply in replies)
            for signal in ("exit_this_page", "safety_routes")
        }
        response = web.json_response({"lines": lines, "live": live_status, **signals})
    else:
        response = web.HTTPSeeOther("/#latest")
    # 30 minutes from the last message: long enough to step away, short enough for a shared device.
    remember_chat(response, chat_id)
    if isinstance(response, web.HTTPSeeOther):
        raise response
    return response


async def _answer_of(request: web.Request, turn: asyncio.Task[list[BotMessage]]) -> list[BotMessage]:
    """The turn's answer. A turn slower than ``TURN_WAIT_SECONDS`` is given the rest of the client's
    own timeout only while every part answers its health check: a busy assistant answers late, but
    the resident is not left waiting on a part that is down or stuck (``asyncio.TimeoutError``).
    A slow turn carries on either way: its answer is in the conversation on the next page load."""
    try:
        return await asyncio.wait_for(asyncio.shield(turn), TURN_WAIT_SECONDS)
    except asyncio.TimeoutError:
        if await part_down(request):
            raise
    return await turn  # RasaUnavailable when the client's own timeout (20 s in all) runs out


async def part_down(request: web.Request) -> bool:
    """Whether Rasa or the action server is not answering its health check."""
    return any(state != "ok" for state in (await request.app[RASA].health()).values())


def outage_response(request: web.Request, chat_id: str | None = None) -> web.Response:
    """The safe answer (our phone number and 999) when part of the assistant is down: JSON for the
    page's script, the chat page otherwise. The resident keeps their conversation for later."""
    answer = request.app[OUTAGE]
    response: web.Response
    if "application/json" in request.headers.get("Accept", ""):
        line = {"sender": "assistant", "text": answer, "buttons": []}
        body = {"lines": [line], "live": {"state": "none"}, "outage": True, "safety_routes": True}
        response = web.json_response(body, status=503)
    else:
        response = render(
            request, "chat.html", status=503, lines=[], problem=answer, live={"state": "none"},
            last_live=0, turn_start=0, exit_this_page=False, safety_routes=True, outage=answer,
            chat_open=chat_id is not None, exit_to=EXIT_TO,
        )  # fmt: skip
    if chat_id:
        remember_chat(response, chat_id)
    return response


@web.middleware
async def resident_outages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A database that is away or busy gives the resident the safe answer and staff a polite
    "try again", never a 500."""
    try:
        return await handler(request)
    except DBAPIError:  # away, or locked for longer than the busy timeout (storage/engine.py)
        logger.exception("The database did not answer on %s", request.path)
        if request.path.startswith("/api"):
            return web.json_response({"error": DATABASE_BUSY}, status=503, headers={"Retry-After": "30"})
        if request.path.startswith(("/staff", "/dashboard")):
            return render(request, "staff/problem.html", status=503, message=DATABASE_BUSY)
        return outage_response(request, chat_id_of(request))


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
    start_clock(settings)
    app = web.Application(
        client_max_size=64 * 1024, middlewares=[resident_outages, staff_errors, rate_limited, readable_forms]
    )
    app[RATE_LIMITS] = RateLimits(settings)
    app[QUEUE_SHARES] = QueueShares(settings.live_chats_per_client)
    app[TEMPLATES] = templates()
    app[TEMPLATES].globals["keep"] = settings.retention  # the chat page tells residents how long
    app[SECURE_COOKIES] = settings.secure_cookies
    app[OUTAGE] = outage_answer(default_catalogue())

    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = open_database(settings.database_url, ASSISTANT)
        # Outcome events and the figures may live in a database of their own.
        monitoring = monitoring_engine(settings, engine)
        try:
            migrate_monitoring(monitoring)
        except DBAPIError:  # the recorder migrates before its first write, once the database is back
            logger.warning("The monitoring database is not available; outcome events wait in the outbox")
        app[ENGINE] = monitoring  # the dashboard reads the monitoring tables
        app[OUTCOMES] = open_outcomes(settings, monitoring, f"outbox-{settings.process_name or 'web'}.jsonl")
        accounts = StaffAccounts(engine)
        app[ACCOUNTS] = accounts
        app[SESSIONS] = StaffSessions(engine, accounts, token_lifetimes(settings))
        app[HANDOFFS] = HandoffStore(engine, channel_schedule())
        app[REMINDERS_SEEN] = RemindersSeen(engine)  # a no-show says whether it had its reminder
        app[LIVE] = LiveChats(engine, app[HANDOFFS])
        async with running(keep_figures_fresh(monitoring), keep_retention(settings, engine, monitoring)):
            yield
        engine.dispose()
        if monitoring is not engine:
            monitoring.dispose()

    app.cleanup_ctx.append(database)

    async def rasa_client(app: web.Application) -> AsyncIterator[None]:
        # A new connection for each call: under the fuzz, about one run in two had a resident's turn
        # whose answer never came back on a reused keep-alive connection (Rasa had finished the turn;
        # the web app waited out its 20 s and showed the outage page). A loopback connect is cheap.
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(timeout=TIMEOUT, connector=connector) as session:
            token = internal_tokens(settings).rasa
            app[RASA] = RasaClient(session, settings.rasa_url, settings.actions_url, token)
            yield

    app.cleanup_ctx.append(rasa_client)

    async def cases(app: web.Application) -> AsyncIterator[None]:
        # Every change to a case (staff pages, JSON API, live chat) goes through this one service.
        # One web process keeps live chat signals to itself; several share them through Redis.
        scale = settings.scale
        signals = RedisLiveSignals(scale.redis_url, scale.redis_prefix) if scale else LiveSignals()
        app[SIGNALS] = signals
        app[CASES] = CaseService(app[HANDOFFS], app[OUTCOMES], app[RASA], app[LIVE], signals, app[REMINDERS_SEEN])
        async with running(end_abandoned_chats(app), signals.run()):
            yield
        if isinstance(signals, RedisLiveSignals):
            await signals.close()

    app.cleanup_ctx.append(cases)
    app.cleanup_ctx.append(open311_sending(settings))  # reports to the back office, when an endpoint is set
    app.router.add_get("/health", health)
    app.router.add_get("/", chat_page)
    app.router.add_post("/", chat_post)
    scale = settings.scale
    add_chat_session_routes(
        app, RedisForgottenChats(scale.redis_url, scale.redis_prefix) if scale else ForgottenChats()
    )
    add_staff_routes(app)
    add_report_routes(app, settings)  # the reports queue, with its store
    add_live_chat_routes(app)
    add_api_routes(app)
    add_dashboard_routes(app, load_thresholds(settings.thresholds_file, channel_schedule()))
    add_webhooks(app, settings)  # the managers' webhooks page, and the sender beside the app
    add_updates(app, settings)  # messages to residents (GOV.UK Notify, or the local outbox), planned and sent
    app.router.add_static("/static", Path(__file__).with_name("static"))
    if GOVUK_FRONTEND.is_dir():
        app.router.add_static("/assets", GOVUK_FRONTEND / "assets")
        app.router.add_static("/govuk", GOVUK_FRONTEND)
    else:
        logger.warning("GOV.UK Frontend is not installed (run npm ci): pages will have no styles")
    return app
