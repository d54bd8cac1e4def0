"""Who is signed in, and the checks every staff page and API call makes.

Sessions are server-side (``storage.staff.StaffSessions``): the cookie holds a random token only,
HttpOnly and SameSite=Strict (and Secure behind HTTPS). Every form carries the session's CSRF
token; the sign-in form, before there is a session, uses a double-submit cookie. API callers use
a bearer token instead, or the session cookie plus an ``X-CSRF-Token`` header.

Sessions end after a time idle and a time after signing in, API tokens some days after they were
made (``storage.staff.TokenLifetimes``, set in ``wiring/settings.py``). An ended one gets 401 with
what to do: the sign-in form for pages, ``{"error": ...}`` for the API.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import wraps
from typing import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.web.keys import SECURE_COOKIES, SESSIONS
from bot.web.rendering import render
from storage.staff import StaffSession, StaffUser, TokenExpired, TokenLifetimes
from wiring.settings import Settings

SESSION_COOKIE = "staff_session"
SIGN_IN_COOKIE = "staff_sign_in"
SESSION_KEY = "staff_session"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_lifetimes(settings: Settings) -> TokenLifetimes:
    """How long staff sessions and API tokens last, from ``settings``."""
    return TokenLifetimes(
        session_idle=timedelta(hours=settings.session_idle_hours),
        session_max=timedelta(hours=settings.session_max_hours),
        api_token=timedelta(days=settings.api_token_days),
    )


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    """A cookie no script can read and no other site can send."""
    secure = request.app[SECURE_COOKIES] or request.secure
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=secure, max_age=max_age, path="/")


def _same(given: str, expected: str) -> bool:
    """A constant-time comparison that also takes non-ASCII text (compare_digest refuses it as str)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def current_session(request: web.Request) -> StaffSession | None:
    """The signed-in session for this request, if any (None once it has ended)."""
    try:
        return request.app[SESSIONS].find(request.cookies.get(SESSION_COOKIE))
    except TokenExpired:
        return None


def _ended_session(request: web.Request, ended: TokenExpired) -> web.Response:
    """401 with the sign-in form saying why, coming back here after."""
    token = sign_in_token(request)
    next_path = request.path_qs if request.method == "GET" else "/staff"
    page = render(request, "staff/sign_in.html", status=401, csrf_token=token, next=next_path, error=str(ended))
    set_cookie(request, page, SIGN_IN_COOKIE, token, max_age=3600)
    page.del_cookie(SESSION_COOKIE, path="/")
    return page


def signed_in(request: web.Request) -> StaffSession:
    """The session a protected handler runs under (set by the decorators below)."""
    session: StaffSession = request[SESSION_KEY]
    return session


def sign_in_token(request: web.Request) -> str:
    """The token for the sign-in form: the cookie's, or a new one the handler must set."""
    existing = request.cookies.get(SIGN_IN_COOKIE, "")
    return existing if 20 <= len(existing) <= 64 else secrets.token_urlsafe(24)


def staff_page(role: str | None = None) -> Callable[[Handler], Handler]:
    """An HTML page for signed-in staff: sign-in first, 403 for the wrong role, CSRF on every POST."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                session = request.app[SESSIONS].find(request.cookies.get(SESSION_COOKIE))
            except TokenExpired as ended:
                return _ended_session(request, ended)
            if session is None:
                raise web.HTTPSeeOther(f"/staff/sign-in?next={quote(request.path_qs, safe='')}")
            if role == "manager" and not session.user.is_manager:
                raise web.HTTPForbidden(text="This page is for managers.")
            if request.method == "POST":
                form = await request.post()
                if not _same(str(form.get("csrf_token", "")), session.csrf_token):
                    raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and try again.")
            request[SESSION_KEY] = session
            return await handler(request)

        return guarded

    return decorate


def api_user(request: web.Request) -> StaffUser:
    """The caller of a JSON API request: a bearer token, or a session with its CSRF header on changes."""
    authorization = request.headers.get("Authorization", "")
    try:
        if authorization.startswith("Bearer "):
            user = request.app[SESSIONS].api_user(authorization.removeprefix("Bearer ").strip())
            if user is None:
                raise api_error(web.HTTPUnauthorized, "That API token is not valid.")
            return user
        session = request.app[SESSIONS].find(request.cookies.get(SESSION_COOKIE))
    except TokenExpired as ended:
        raise api_error(web.HTTPUnauthorized, str(ended)) from None
    if session is None:
        raise api_error(web.HTTPUnauthorized, "Sign in, or send an API token as 'Authorization: Bearer ...'.")
    changing = request.method not in ("GET", "HEAD")
    if changing and not _same(request.headers.get("X-CSRF-Token", ""), session.csrf_token):
        raise api_error(web.HTTPForbidden, "Changes need the session's X-CSRF-Token header.")
    return session.user


def api_error(kind: type[web.HTTPException], message: str) -> web.HTTPException:
    """A JSON error response with a plain message."""
    return kind(text=web.json_response({"error": message}).text, content_type="application/json")
