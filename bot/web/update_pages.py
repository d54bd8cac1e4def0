"""Automatic updates to residents in the web app: the staff page ``/staff/messages`` (the outbox,
with the words of each message written locally), and the planner and sender that run beside the app.

With no GOV.UK Notify key, the sender writes each message to the outbox for staff to read, so
``make run`` shows the whole path. Notify's settings are read and checked when the app is built, so
a mistake stops the start with its message (``SettingsError``).
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

from aiohttp import web

from bot.web.keys import OUTCOMES
from bot.web.rendering import render
from bot.web.staff_auth import signed_in, staff_page
from integrations.notify import keep_sending
from integrations.update_planner import keep_planning
from monitoring.events import EventKind
from storage.engine import open_engine
from storage.notify_outbox import FAILED, Message, NotifyOutbox
from wiring.background import running
from wiring.notify import load_notify_settings
from wiring.settings import Settings, channel_schedule

MESSAGES = web.AppKey("notify_outbox", NotifyOutbox)  # the outbox of messages to residents
LOCAL_OUTBOX = web.AppKey("local_outbox", bool)  # no Notify key: messages are written, not sent
ENTRIES = 100
KIND_NAMES = {
    "report_updated": "Report updated",
    "report_closed": "Report closed",
    "case_claimed": "Request picked up",
    "case_resolved": "Request dealt with",
    "callback_today": "Call back reminder",
    "appointment_tomorrow": "Gateway appointment reminder",
    "change_recorded": "Change recorded",
}
CHANNEL_NAMES = {"text": "Text message", "email": "Email", "letter": "Letter"}
STATE_NAMES = {
    "pending": "Waiting", "sent": "Sent", "failed": "Failed", "written_locally": "Written here",
    "cancelled": "Not sent",
}  # fmt: skip
STATE_TAGS = {
    "pending": "govuk-tag--blue", "sent": "govuk-tag--green", "failed": "govuk-tag--red",
    "written_locally": "govuk-tag--purple", "cancelled": "govuk-tag--grey",
}  # fmt: skip


def add_updates(app: web.Application, settings: Settings) -> None:
    """Add the staff page, and run the update planner and sender while the app runs."""
    notify = load_notify_settings()

    async def updates(app: web.Application) -> AsyncIterator[None]:
        engine = open_engine(settings.database_url)  # its tables were made by the app's database step
        app[MESSAGES] = NotifyOutbox(engine)
        outcomes = app[OUTCOMES]

        def record(message: Message, channel: str, sent: bool) -> None:
            # In the conversation the choice was made in, with the reference, as case events are.
            if message.conversation_id:
                kind = EventKind.UPDATE_SENT if sent else EventKind.UPDATE_FAILED
                outcomes.record(message.conversation_id, kind, case=message.reference, value=channel)

        async with running(keep_planning(engine, channel_schedule().local), keep_sending(engine, notify, record)):
            yield
        engine.dispose()

    app.cleanup_ctx.append(updates)
    app.router.add_get("/staff/messages", messages_page)
    app[LOCAL_OUTBOX] = notify.local


@staff_page()
async def messages_page(request: web.Request) -> web.StreamResponse:
    """Staff: the messages to residents, newest first; failed ones flagged."""
    entries = await asyncio.to_thread(request.app[MESSAGES].entries, ENTRIES)
    return render(
        request, "staff/messages.html", session=signed_in(request), entries=entries,
        failed=sum(entry.state == FAILED for entry in entries), local_outbox=request.app[LOCAL_OUTBOX],
        kind_names=KIND_NAMES, channel_names=CHANNEL_NAMES, state_names=STATE_NAMES, state_tags=STATE_TAGS,
        local=channel_schedule().local,
    )  # fmt: skip
