"""Live webchat on the web app: the resident's side (updates by server-sent events, or polling) and
the adviser's chat page in the staff inbox.

While a person holds the conversation the bot is paused in Rasa (the handoff action paused it), so
the resident's messages are recorded in the conversation but never answered by the bot. Each
message also goes into the live chat table, which both pages read for what is new. However the
chat ends (handed back, closed with an outcome, nobody free, the resident leaving the queue), the
case service (``bot/web/cases.py``) resumes the bot with a message saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web.cases import case_reference
from bot.web.chat_session import chat_id_of
from bot.web.keys import ACCOUNTS, CASES, LIVE, QUEUE_SHARES, RASA, SIGNALS
from bot.web.live_signals import REFRESH_SECONDS, wait_for_change
from bot.web.rasa_client import RasaUnavailable
from bot.web.rate_limits import client_address
from bot.web.refusals import page_refusal
from bot.web.rendering import render
from bot.web.staff_auth import signed_in, staff_page
from routing.handoffs import HandoffCase, HandoffError
from routing.live_chat import MAX_MESSAGE, LiveChatError, LiveMessage, wait_estimate

logger = logging.getLogger(__name__)

STREAM_SECONDS = 300  # a stream ends after this; the browser's EventSource reconnects by itself


def _as_json(message: LiveMessage) -> dict[str, Any]:
    return {"id": message.id, "sender": message.sender, "author": message.author, "text": message.text}


async def live_chat_of(request: web.Request, chat_id: str | None) -> HandoffCase | None:
    """The conversation's live chat, waiting or with an adviser (none for a chat not started yet)."""
    # Database reads in a thread: a slow or locked database must not hold up every other page.
    return await asyncio.to_thread(request.app[LIVE].open_chat, chat_id) if chat_id else None


async def relay_resident_message(request: web.Request, case: HandoffCase, chat_id: str, text: str) -> bool:
    """Pass the resident's message to the person holding the live chat ``case``; True if it did."""
    live = request.app[LIVE]
    try:
        await asyncio.to_thread(live.post, case, "resident", text[:MAX_MESSAGE])
    except LiveChatError:
        return False  # the chat ended a moment ago: the bot answers instead
    await request.app[SIGNALS].changed(chat_id)
    if text.lstrip().startswith("/"):
        # Rasa reads "/restart" and the like as commands, which would wake the paused bot while the
        # person holds the chat: the adviser has it, and the conversation record goes without it.
        return True
    # Recorded in the conversation, where the paused bot stays silent; if Rasa is down the adviser still has it.
    with contextlib.suppress(RasaUnavailable):
        await request.app[RASA].send(chat_id, text)
    return True


async def resident_live_state(request: web.Request, chat_id: str, after: int) -> dict[str, Any]:
    """The resident's live chat now: waiting (with position and wait), with an adviser, or none;
    and the chat messages after id ``after``."""
    status = await resident_live_status(request, chat_id)
    messages = await asyncio.to_thread(request.app[LIVE].for_conversation, chat_id, after)
    return {"status": status, "messages": [_as_json(m) for m in messages]}


async def resident_live_status(request: web.Request, chat_id: str) -> dict[str, Any]:
    """The resident's live chat now: waiting (with position and wait), with an adviser, or none.
    (A turn's answer needs only this, not the chat's messages.)"""
    live = request.app[LIVE]
    case = await live_chat_of(request, chat_id)
    state: dict[str, Any] = {"state": "none"}
    if case is not None:
        case = await request.app[CASES].end_if_unanswered(case)
    if case is not None and case.status == "queued" and not await _fair_share(request, chat_id):
        case = await request.app[CASES].queue_full(case)
    if case is not None and case.open:
        if case.status == "queued":
            position = await asyncio.to_thread(live.handoffs.position_in_queue, case)
            online = await asyncio.to_thread(request.app[ACCOUNTS].advisers_online)
            state = {"state": "waiting", "position": position, "wait": wait_estimate(position, online)}
        else:
            name = await asyncio.to_thread(_adviser_name, request, case.claimed_by)
            state = {"state": "with_adviser", "adviser": name}
    return state


async def _fair_share(request: web.Request, chat_id: str) -> bool:
    """Whether this chat may wait in the live chat queue, within its client address's share."""
    live = request.app[LIVE]

    def still_waiting(other: str) -> bool:
        case = live.open_chat(other)
        return case is not None and case.status == "queued"

    shares = request.app[QUEUE_SHARES]
    return await asyncio.to_thread(shares.admit, client_address(request), chat_id, still_waiting)


SWEEP_SECONDS = 30.0


async def end_abandoned_chats(app: web.Application, every: float = SWEEP_SECONDS) -> None:
    """End live chats nobody will answer (the queue timed out, the adviser went away) even when no
    page is asking, so an abandoned chat does not wait in the queue for ever. Runs until cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            cases = await asyncio.to_thread(app[LIVE].handoffs.queue)
            app[QUEUE_SHARES].keep_only(
                {str(case.conversation_id) for case in cases if case.mode == "live" and case.status == "queued"}
            )
            for case in cases:
                if case.mode == "live":
                    await app[CASES].end_if_unanswered(case)
        except Exception:  # noqa: BLE001 - tried again at the next sweep; the web app carries on
            logger.exception("Could not end abandoned live chats; trying again later")


def _adviser_name(request: web.Request, username: str | None) -> str:
    """The name the resident sees for the adviser: their first name, never their login name."""
    adviser = request.app[ACCOUNTS].get(username) if username else None
    return adviser.resident_name if adviser else "Adviser"


MAX_ID = 2**62  # larger ids do not fit the database's integers


def _after(request: web.Request) -> int:
    """The last message id the page has: ``?after=`` or, when an event stream reconnects, its
    ``Last-Event-ID`` header (so nothing is shown twice)."""
    best = 0
    for raw in (request.query.get("after", "0"), request.headers.get("Last-Event-ID", "0")):
        try:
            best = max(best, min(max(0, int(raw)), MAX_ID))
        except ValueError:
            continue
    return best


async def resident_leaves_queue(request: web.Request) -> web.StreamResponse:
    """The resident stops waiting for an adviser: their place is given up and the assistant is back,
    offering a call back or a visit instead. Works as a plain form post, or answers JSON."""
    chat_id = chat_id_of(request)
    case = request.app[LIVE].open_chat(chat_id) if chat_id else None
    if case is not None:
        await request.app[CASES].resident_leaves(case)
    if "application/json" in request.headers.get("Accept", ""):
        status = await resident_live_status(request, chat_id) if chat_id else {"state": "none"}
        return web.json_response({"live": status})
    raise web.HTTPSeeOther("/#latest")


async def resident_updates(request: web.Request) -> web.Response:
    """What is new in the resident's live chat (the polling fallback for the stream)."""
    chat_id = chat_id_of(request)
    if chat_id is None:
        return web.json_response({"status": {"state": "none"}, "messages": []})
    return web.json_response(await resident_live_state(request, chat_id, _after(request)))


async def resident_stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: new live chat messages and the queue position, as they happen.

    The database is read when a signal says the chat changed (from whichever web process made the
    change) and every ``REFRESH_SECONDS`` for the queue position, never in a tight loop.
    """
    chat_id = chat_id_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    if chat_id is None:
        return response
    after = _after(request)
    last_status: dict[str, Any] | None = None
    ends = asyncio.get_running_loop().time() + STREAM_SECONDS
    with request.app[SIGNALS].watch(chat_id) as changed:
        while asyncio.get_running_loop().time() < ends:
            if request.transport is None or request.transport.is_closing():
                break  # the browser went away: stop asking the database for it
            changed.clear()  # before reading: a change from here on wakes the next wait
            update = await resident_live_state(request, chat_id, after)
            try:
                for message in update["messages"]:
                    after = max(after, message["id"])
                    data = json.dumps(message)
                    await response.write(f"id: {message['id']}\nevent: message\ndata: {data}\n\n".encode())
                if update["status"] != last_status:
                    last_status = update["status"]
                    await response.write(f"event: status\ndata: {json.dumps(last_status)}\n\n".encode())
            except (ConnectionResetError, ConnectionError):
                break
            await wait_for_change(changed, min(REFRESH_SECONDS, max(0.0, ends - asyncio.get_running_loop().time())))
    return response


# --- the adviser's side ------------------------------------------------------------------------


def _case(request: web.Request) -> HandoffCase:
    try:
        case = request.app[CASES].get(case_reference(request.match_info["reference"]))
    except HandoffError as missing:
        raise page_refusal(missing) from None
    if case.mode != "live":
        raise web.HTTPNotFound(text="That case is not a live chat.")
    return case


@staff_page()
async def adviser_page(request: web.Request) -> web.StreamResponse:
    """The adviser's view of a live chat: what the resident told the assistant, and the chat."""
    case = _case(request)
    if case.claimed_by == signed_in(request).user.username:
        request.app[LIVE].adviser_here(case.reference)
    messages = request.app[LIVE].messages(case.reference)
    return render(
        request, "staff/live.html", session=signed_in(request), case=case, messages=messages,
        last_id=messages[-1].id if messages else 0, error=request.query.get("error"),
    )  # fmt: skip


@staff_page()
async def adviser_send(request: web.Request) -> web.StreamResponse:
    """Send the adviser's message to the resident."""
    case, form = _case(request), await request.post()
    try:
        await request.app[CASES].adviser_says(case.reference, signed_in(request).user, str(form.get("message", "")))
    except HandoffError as error:
        raise page_refusal(error) from None
    except LiveChatError as error:
        raise web.HTTPSeeOther(f"/staff/live/{case.reference}?error={quote(str(error))}") from None
    raise web.HTTPSeeOther(f"/staff/live/{case.reference}#latest")


@staff_page()
async def hand_back(request: web.Request) -> web.StreamResponse:
    """End the chat as resolved and hand the resident back to the assistant."""
    case = _case(request)
    try:
        await request.app[CASES].hand_back(case.reference, signed_in(request).user)
    except HandoffError as error:
        raise page_refusal(error) from None
    raise web.HTTPSeeOther(f"/staff/cases/{case.reference}")


@staff_page()
async def adviser_updates(request: web.Request) -> web.Response:
    """What is new in the chat, for the adviser's page; checking in also shows the adviser is there."""
    case = _case(request)
    if case.claimed_by == signed_in(request).user.username:
        request.app[LIVE].adviser_here(case.reference)
    messages = [_as_json(m) for m in request.app[LIVE].messages(case.reference, _after(request))]
    return web.json_response({"status": request.app[CASES].get(case.reference).status, "messages": messages})


def add_live_chat_routes(app: web.Application) -> None:
    """Register the live chat routes."""
    app.router.add_get("/chat/updates", resident_updates)
    app.router.add_get("/chat/stream", resident_stream)
    app.router.add_post("/chat/leave", resident_leaves_queue)
    app.router.add_get("/staff/live/{reference}", adviser_page)
    app.router.add_get("/staff/live/{reference}/updates", adviser_updates)
    app.router.add_post("/staff/live/{reference}/send", adviser_send)
    app.router.add_post("/staff/live/{reference}/hand-back", hand_back)
