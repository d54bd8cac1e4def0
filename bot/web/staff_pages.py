"""The staff inbox at ``/staff``: sign in, the queues, a case, and the team page for managers.

Server-rendered with GOV.UK Frontend styles; works without JavaScript. All resident text goes
through Jinja's autoescaping, so a ``<script>`` typed into the chat shows as text.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable

from aiohttp import web

from bot.web.cases import case_reference
from bot.web.keys import ACCOUNTS, CASES, HANDOFFS, SESSIONS
from bot.web.rate_limits import RATE_LIMITS, client_address, sign_in_too_fast
from bot.web.refusals import page_refusal, refusal
from bot.web.rendering import render
from bot.web.staff_auth import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    current_session,
    set_cookie,
    sign_in_token,
    signed_in,
    staff_page,
)
from routing import clock
from routing.handoff_queues import CATEGORY_NAMES, MODE_NAMES, build_queues, due_text
from routing.handoff_replies import STATUS_WORDS
from routing.handoffs import OUTCOMES, CaseNotFound, HandoffCase, HandoffError
from storage.staff import AccountError
from wiring.settings import channel_schedule

OUTCOME_LABELS = {
    "resolved": "Resolved",
    "unable_to_contact": "Unable to contact",
    "no_show": "Did not come to the appointment",
    "cancelled": "Cancelled",
}


def _safe_next(raw: str | None) -> str:
    # Only paths on this site, so the sign-in page cannot be used to send staff elsewhere.
    return raw if raw and raw.startswith(("/staff", "/dashboard")) and not raw.startswith("//") else "/staff"


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    """The sign-in form (already signed in: straight to the queues)."""
    if current_session(request) is not None:
        raise web.HTTPSeeOther(_safe_next(request.query.get("next")))
    token = sign_in_token(request)
    response = render(request, "staff/sign_in.html", csrf_token=token, next=_safe_next(request.query.get("next")))
    set_cookie(request, response, SIGN_IN_COOKIE, token, max_age=3600)
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Check the password; wrong details, or too many of them, get the form again with a clear
    message that is the same whether or not the username exists."""
    form = await request.post()
    token = request.cookies.get(SIGN_IN_COOKIE, "")
    if not token or str(form.get("csrf_token", "")) != token:
        raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    next_path = _safe_next(str(form.get("next", "")))

    def again(status: int, error: str) -> web.Response:
        return render(
            request, "staff/sign_in.html", status=status, csrf_token=token, next=next_path, error=error,
            username=username,
        )  # fmt: skip

    limits, client = request.app[RATE_LIMITS], client_address(request)
    wait = limits.sign_in_wait(client, username)
    if wait:
        page = again(429, sign_in_too_fast(wait))
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        # Argon2 takes tens of milliseconds on purpose: in a thread, so chats carry on meanwhile.
        user = await asyncio.to_thread(request.app[ACCOUNTS].sign_in, username, password)
    except AccountError as error:
        limits.sign_in_failed(client, username)
        return again(401, str(error))
    sessions = request.app[SESSIONS]
    response = web.HTTPSeeOther(next_path)
    set_cookie(request, response, SESSION_COOKIE, sessions.start(user), max_age=sessions.lifetimes.cookie_seconds)
    response.del_cookie(SIGN_IN_COOKIE, path="/")
    raise response


@staff_page()
async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session, and stop taking live chats."""
    request.app[ACCOUNTS].set_available(signed_in(request).user.username, False)
    request.app[SESSIONS].end(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/staff/sign-in")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@staff_page()
async def queues(request: web.Request) -> web.StreamResponse:
    """Every open case, grouped by how it is worked, most urgent first."""
    now = clock.now()
    session = signed_in(request)
    user = request.app[ACCOUNTS].get(session.user.username) or session.user
    cases = request.app[HANDOFFS].queue()
    return render(
        request, "staff/queues.html", session=session, user=user,
        queues=build_queues(cases, channel_schedule(), now), needs=CATEGORY_NAMES, modes=MODE_NAMES,
        waiting=request.app[HANDOFFS].webchat_waiting(),
    )  # fmt: skip


@staff_page()
async def availability(request: web.Request) -> web.StreamResponse:
    """Start or stop taking live chats."""
    form = await request.post()
    request.app[ACCOUNTS].set_available(signed_in(request).user.username, form.get("available") == "yes")
    raise web.HTTPSeeOther("/staff")


def _reference(request: web.Request) -> str:
    try:
        return case_reference(request.match_info["reference"])
    except CaseNotFound as missing:
        raise page_refusal(missing) from None


def _case_page(request: web.Request, reference: str, status: int = 200, error: str | None = None) -> web.Response:
    try:
        case = request.app[CASES].get(reference)
    except CaseNotFound as missing:
        raise page_refusal(missing) from None
    schedule = channel_schedule()
    due, overdue = due_text(case.sla_due_at, clock.now())
    return render(
        request, "staff/case.html", status=status, session=signed_in(request), case=case, due=due,
        overdue=overdue, needs=CATEGORY_NAMES, modes=MODE_NAMES, status_words=STATUS_WORDS,
        outcomes=OUTCOME_LABELS, error=error, local=schedule.local,
    )  # fmt: skip


@staff_page()
async def case_page(request: web.Request) -> web.StreamResponse:
    """Everything about one case: summary, adjustments, needs, transcript, history and actions."""
    return _case_page(request, _reference(request))


async def _answer(request: web.Request, reference: str, change: Awaitable[HandoffCase]) -> web.StreamResponse:
    """Back to the case page: as the change left it, or with why it was refused."""
    try:
        await change
    except CaseNotFound as missing:
        raise page_refusal(missing) from None
    except HandoffError as error:
        kind, message = refusal(error)
        return _case_page(request, reference, status=kind.status_code, error=message)
    raise web.HTTPSeeOther(f"/staff/cases/{reference}")


@staff_page()
async def claim(request: web.Request) -> web.StreamResponse:
    """Take the case (if two advisers click at once, one gets it and the other is told)."""
    reference = _reference(request)
    return await _answer(request, reference, request.app[CASES].claim(reference, signed_in(request).user))


@staff_page()
async def release(request: web.Request) -> web.StreamResponse:
    """Put the case back in the queue."""
    reference = _reference(request)
    return await _answer(request, reference, request.app[CASES].release(reference, signed_in(request).user))


@staff_page()
async def add_note(request: web.Request) -> web.StreamResponse:
    """Add a note to the case's history."""
    reference, form = _reference(request), await request.post()
    note = str(form.get("note", ""))[:5000]
    return await _answer(request, reference, request.app[CASES].add_note(reference, signed_in(request).user, note))


@staff_page()
async def record_outcome(request: web.Request) -> web.StreamResponse:
    """Close the case with what happened (a live chat ends and the resident is back with the assistant)."""
    reference, form = _reference(request), await request.post()
    outcome, note = str(form.get("outcome", "")), str(form.get("note", ""))[:5000] or None
    if outcome not in OUTCOMES:
        return _case_page(request, reference, status=400, error="Choose what happened.")
    return await _answer(
        request, reference, request.app[CASES].close(reference, outcome, signed_in(request).user, note)
    )


@staff_page(role="manager")
async def team(request: web.Request) -> web.StreamResponse:
    """Managers: who is taking live chats and who holds which cases."""
    claimed: dict[str, int] = {}
    for case in request.app[HANDOFFS].queue(statuses=("claimed",)):
        claimed[str(case.claimed_by)] = claimed.get(str(case.claimed_by), 0) + 1
    return render(
        request, "staff/team.html", session=signed_in(request), people=request.app[ACCOUNTS].everyone(),
        claimed=claimed,
    )  # fmt: skip


def add_staff_routes(app: web.Application) -> None:
    """Register the inbox's pages."""
    app.router.add_get("/staff/sign-in", sign_in_page)
    app.router.add_post("/staff/sign-in", sign_in)
    app.router.add_post("/staff/sign-out", sign_out)
    app.router.add_get("/staff", queues)
    app.router.add_post("/staff/availability", availability)
    app.router.add_get("/staff/team", team)
    app.router.add_get("/staff/cases/{reference}", case_page)
    app.router.add_post("/staff/cases/{reference}/claim", claim)
    app.router.add_post("/staff/cases/{reference}/release", release)
    app.router.add_post("/staff/cases/{reference}/notes", add_note)
    app.router.add_post("/staff/cases/{reference}/outcome", record_outcome)
    # Live chats (bot/web/live_chat.py) are reached from the case page.
