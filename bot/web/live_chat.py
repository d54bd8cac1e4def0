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
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web.cases import case_reference
from bot.web.chat_session import chat_id_of
from bot.web.keys import ACCOUNTS, CASES, LIVE, RASA
from bot.web.rasa_client import RasaUnavailable
from bot.web.refusals import page_refusal
from bot.web.rendering import render
from bot.web.staff_auth import signed_in, staff_page
from routing.handoffs import HandoffCase, HandoffError
from routing.live_chat import MAX_MESSAGE, LiveChatError, LiveMessage, wait_estimate

STREAM_SECONDS = 300  # a stream ends after this; the browser's EventSource reconnects by itself


def _as_json(message: LiveMessage) -> dict[str, Any]:
    return {"id": message.id, "sender": message.sender, "author": message.author, "text": message.text}


async def relay_resident_message(request: web.Request, chat_id: str, text: str) -> bool:
    """If a person holds this conversation, pass the resident's message to them; True if it did."""
    live = request.app[LIVE]
    case = live.open_chat(chat_id)
    if case is None:
        return False
    try:
        live.post(case, "resident", text[:MAX_MESSAGE])
    except LiveChatError:
        return False  # the chat ended a moment ago: the bot answers instead
    # Recorded in the conversation, where the paused bot stays silent; if Rasa is down the adviser still has it.
    with contextlib.suppress(RasaUnavailable):
        await request.app[RASA].send(chat_id, text)
    return True


async def resident_live_state(request: web.Request, chat_id: str, after: int) -> dict[str, Any]:
    """The resident's live chat now: waiting (with position and wait), with an adviser, or none;
    and the chat messages after id ``after``."""
    live = request.app[LIVE]
    case = live.open_chat(chat_id)
    state: dict[str, Any] = {"state": "none"}
    if case is not None:
        case = await request.app[CASES].end_if_unanswered(case)
    if case is not None and case.open:
        if case.status == "queued":
            position = live.handoffs.position_in_queue(case)
            wait = wait_estimate(position, request.app[ACCOUNTS].advisers_online())
            state = {"state": "waiting", "position": position, "wait": wait}
        else:
            state = {"state": "with_adviser", "adviser": _adviser_name(request, case.claimed_by)}
    messages = [_as_json(m) for m in live.for_conversation(chat_id, after)]
    return {"status": state, "messages": messages}


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
        state = await resident_live_state(request, chat_id, 0) if chat_id else {"status": {"state": "none"}}
        return web.json_response({"live": state["status"]})
    raise web.HTTPSeeOther("/#latest")


async def resident_updates(request: web.Request) -> web.Response:
    """What is new in the resident's live chat (the polling fallback for the stream)."""
    chat_id = chat_id_of(request)
    if chat_id is None:
        return web.json_response({"status": {"state": "none"}, "messages": []})
    return web.json_response(await resident_live_state(request, chat_id, _after(request)))


async def resident_stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: new live chat messages and the queue position, as they happen."""
    chat_id = chat_id_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    if chat_id is None:
        return response
    after = _after(request)
    last_status: dict[str, Any] | None = None
    for _ in range(STREAM_SECONDS):
        update = await resident_live_state(request, chat_id, after)
        for message in update["messages"]:
            after = max(after, message["id"])
            await response.write(f"id: {message['id']}\nevent: message\ndata: {json.dumps(message)}\n\n".encode())
        if update["status"] != last_status:
            last_status = update["status"]
            await response.write(f"event: status\ndata: {json.dumps(last_status)}\n\n".encode())
        await asyncio.sleep(1)
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
