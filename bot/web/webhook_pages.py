"""Signed outgoing webhooks in the web app: the managers' page at ``/staff/webhooks`` (add, pause and
remove subscribers; the delivery log) and the sender that runs beside the app.

A new subscriber's signing secret is shown once, on the page that answers the form, and never again.
Bad input gets the page back with what to change (400), never a 500.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Mapping

from aiohttp import web

from bot.web.keys import DELIVERIES, WEBHOOKS
from bot.web.rendering import render
from bot.web.staff_auth import signed_in, staff_page
from integrations.webhooks import keep_delivering
from routing.webhooks import EVENT_TYPES, NO_SUCH_SUBSCRIBER, SubscriberNotFound, WebhookError
from storage.schema import ASSISTANT, open_database
from storage.webhook_deliveries import DeliveryQueue
from storage.webhooks import WebhookSubscribers
from wiring.background import running
from wiring.settings import Settings, channel_schedule
from wiring.webhooks import load_webhook_settings

MAX_ID = 2**31 - 1  # the largest id the database can hold
EVENT_NAMES = {
    "case.created": "A handoff case is created",
    "case.claimed": "A member of staff claims a case",
    "case.contact_made": "Staff first reach the resident on a case",
    "case.resolved": "A case is resolved",
    "case.closed": "A case is closed, whatever the outcome",
    "report.created": "A resident reports a problem",
    "report.updated": "A report moves on a stage, or gets a new note",
    "report.closed": "A report is closed",
}
STATE_NAMES = {"delivered": "Delivered", "gave_up": "Gave up", "pending": "Waiting"}
LOG_LINES = 50


def add_webhooks(app: web.Application, settings: Settings) -> None:
    """Add the managers' page, and run the sender while the app runs. The subscribers' file is read
    and checked now, so a mistake in it stops the start with its message (``SettingsError``)."""
    webhook_settings = load_webhook_settings()

    async def webhooks(app: web.Application) -> AsyncIterator[None]:
        engine = open_database(settings.database_url, ASSISTANT)
        app[WEBHOOKS], app[DELIVERIES] = WebhookSubscribers(engine), DeliveryQueue(engine)
        await asyncio.to_thread(app[WEBHOOKS].keep_as_file_says, webhook_settings.subscribers)
        async with running(keep_delivering(engine, webhook_settings.keep_log_days)):
            yield
        engine.dispose()

    app.cleanup_ctx.append(webhooks)
    app.router.add_get("/staff/webhooks", webhooks_page)
    app.router.add_post("/staff/webhooks", add_subscriber)
    app.router.add_post(r"/staff/webhooks/{subscriber:\d+}/{change:pause|start|remove}", change_subscriber)


def _page(
    request: web.Request, status: int = 200, error: str | None = None, form: Mapping[str, object] | None = None,
    secret: str | None = None, added: str | None = None,
) -> web.Response:  # fmt: skip
    page = render(
        request, "staff/webhooks.html", status=status, session=signed_in(request), error=error,
        subscribers=request.app[WEBHOOKS].all(), log=request.app[DELIVERIES].log(LOG_LINES),
        event_names=EVENT_NAMES, event_types=EVENT_TYPES, state_names=STATE_NAMES,
        form=form or {"events": EVENT_TYPES}, secret=secret, added=added, local=channel_schedule().local,
    )  # fmt: skip
    page.headers["Cache-Control"] = "no-store"  # a secret shown once must not be kept by the browser
    return page


@staff_page(role="manager")
async def webhooks_page(request: web.Request) -> web.StreamResponse:
    """Managers: the subscribers, a form to add one, and the latest deliveries."""
    return _page(request)


@staff_page(role="manager")
async def add_subscriber(request: web.Request) -> web.StreamResponse:
    """Add a subscriber and show its new secret once; the form again with what to change otherwise."""
    form = await request.post()
    name, url = str(form.get("name", ""))[:200], str(form.get("url", ""))[:1000]
    events = [str(event) for event in form.getall("events", [])][: len(EVENT_TYPES) + 1]
    council_system = form.get("council_system") == "yes"
    entered = {"name": name, "url": url, "events": events, "council_system": council_system}
    try:
        added, secret = request.app[WEBHOOKS].add(name, url, events, council_system, signed_in(request).user.username)
    except WebhookError as error:
        return _page(request, status=400, error=str(error), form=entered)
    return _page(request, secret=secret, added=added.name)


@staff_page(role="manager")
async def change_subscriber(request: web.Request) -> web.StreamResponse:
    """Pause a subscriber, start it again, or remove it; back to the page."""
    subscriber, change = int(request.match_info["subscriber"]), request.match_info["change"]
    if subscriber > MAX_ID:  # no such subscriber; a number too big for the database is refused as such
        return _page(request, status=404, error=NO_SUCH_SUBSCRIBER)
    store = request.app[WEBHOOKS]
    try:
        if change == "remove":
            store.remove(subscriber)
        else:
            store.set_active(subscriber, change == "start", note=f"Paused by {signed_in(request).user.display_name}.")
    except WebhookError as error:  # gone already (404), or from the file and so changed only there (409)
        return _page(request, status=404 if isinstance(error, SubscriberNotFound) else 409, error=str(error))
    raise web.HTTPSeeOther("/staff/webhooks")
