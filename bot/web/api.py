"""The JSON API for handoff cases, so a council can connect its own CRM or helpdesk.

The same operations as the staff inbox: list the queues, read a case, claim, release, add a note,
record the outcome. Described in ``bot/web/openapi.yaml`` (served at ``/api/v1/openapi.yaml``).
Every change goes through the case service (``bot/web/cases.py``), as the inbox's do; what it
refuses becomes a 4xx answer with a plain ``{"error": ...}`` (``bot/web/refusals.py``), and a refused
request changes nothing.

A case is named by its reference only: the resident's chat id never leaves the server, because
whoever holds it could carry on the conversation as the resident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable

from aiohttp import web

from bot.web.cases import case_reference
from bot.web.keys import CASES, HANDOFFS
from bot.web.refusals import json_refusal
from bot.web.staff_auth import api_error, api_user
from routing.contact_channels import CHANNELS
from routing.handoffs import OUTCOMES, STATUSES, HandoffCase, HandoffError
from storage.staff import StaffUser

SPEC = Path(__file__).with_name("openapi.yaml")


def _caller(request: web.Request) -> tuple[StaffUser, str]:
    """Who is asking (401 first), and the case's reference (404 when the URL holds none)."""
    user = api_user(request)
    try:
        return user, case_reference(request.match_info["reference"])
    except HandoffError as error:
        raise json_refusal(error) from None


# Kept on the server: the chat id is the resident's key to their conversation.
PRIVATE_FIELDS = ("conversation_id",)


def case_json(case: HandoffCase) -> dict[str, Any]:
    """The case as the API shows it: everything but the resident's chat id."""
    return {key: value for key, value in case.as_json().items() if key not in PRIVATE_FIELDS}


async def _answer(change: Awaitable[HandoffCase]) -> web.Response:
    """The case as the change left it, or the refusal."""
    try:
        case = await change
    except HandoffError as error:
        raise json_refusal(error) from None
    return web.json_response(case_json(case))


def _is_text(value: str) -> bool:
    """False for a string JSON can carry but no database can store (a lone surrogate, "\\ud83d")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _body(request: web.Request, allowed: dict[str, bool]) -> dict[str, str]:
    """The JSON object sent, with only the ``allowed`` fields (name -> required), all strings."""
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep to parse
        raise api_error(web.HTTPBadRequest, "The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise api_error(web.HTTPBadRequest, "The body must be a JSON object.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise api_error(web.HTTPBadRequest, f"Unknown field(s): {', '.join(unknown)}.")
    for name, required in allowed.items():
        if required and name not in body:
            raise api_error(web.HTTPBadRequest, f"The field '{name}' is required.")
        if name in body and not (isinstance(body[name], str) and _is_text(body[name])):
            raise api_error(web.HTTPBadRequest, f"The field '{name}' must be a string.")
    return {name: str(value) for name, value in body.items()}


def _summary(case_json: dict[str, Any]) -> dict[str, Any]:
    keep = ("reference", "channel", "mode", "trigger", "status", "service_code", "sla_due_at", "slot_start",
            "slot_end", "claimed_by", "created_at")  # fmt: skip
    return {key: case_json[key] for key in keep}


async def list_cases(request: web.Request) -> web.Response:
    """Open cases (or those with the given statuses), most urgent first."""
    api_user(request)
    statuses = [s for s in request.query.get("status", "queued,claimed").split(",") if s]
    if not statuses or set(statuses) - set(STATUSES):
        raise api_error(web.HTTPBadRequest, f"status must be a comma-separated list of: {', '.join(STATUSES)}.")
    channel = request.query.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        raise api_error(web.HTTPBadRequest, f"channel must be one of: {', '.join(CHANNELS)}.")
    cases = request.app[HANDOFFS].queue(channel, statuses=statuses)
    return web.json_response({"cases": [_summary(case.as_json()) for case in cases]})


async def get_case(request: web.Request) -> web.Response:
    """One case in full: summary, needs, adjustments, transcript and history."""
    _, reference = _caller(request)
    try:
        case = request.app[CASES].get(reference)
    except HandoffError as error:
        raise json_refusal(error) from None
    return web.json_response(case_json(case))


async def claim(request: web.Request) -> web.Response:
    """Take a queued case. 409 if someone else has it."""
    user, reference = _caller(request)
    return await _answer(request.app[CASES].claim(reference, user))


async def release(request: web.Request) -> web.Response:
    """Put a claimed case back in the queue."""
    user, reference = _caller(request)
    return await _answer(request.app[CASES].release(reference, user))


async def add_note(request: web.Request) -> web.Response:
    """Add a note: ``{"note": "..."}``."""
    user, reference = _caller(request)
    body = await _body(request, {"note": True})
    return await _answer(request.app[CASES].add_note(reference, user, body["note"]))


async def record_outcome(request: web.Request) -> web.Response:
    """Close a claimed case: ``{"outcome": "resolved", "note": "..."}``. A live chat ends and the
    resident is back with the assistant, told so."""
    user, reference = _caller(request)
    body = await _body(request, {"outcome": True, "note": False})
    if body["outcome"] not in OUTCOMES:
        raise api_error(web.HTTPBadRequest, f"outcome must be one of: {', '.join(OUTCOMES)}.")
    return await _answer(request.app[CASES].close(reference, body["outcome"], user, note=body.get("note")))


async def spec(request: web.Request) -> web.FileResponse:
    """The OpenAPI description of this API."""
    return web.FileResponse(SPEC, headers={"Content-Type": "application/yaml"})


def add_api_routes(app: web.Application) -> None:
    """Register the API's routes."""
    app.router.add_get("/api/v1/openapi.yaml", spec)
    app.router.add_get("/api/v1/cases", list_cases)
    app.router.add_get("/api/v1/cases/{reference}", get_case)
    app.router.add_post("/api/v1/cases/{reference}/claim", claim)
    app.router.add_post("/api/v1/cases/{reference}/release", release)
    app.router.add_post("/api/v1/cases/{reference}/notes", add_note)
    app.router.add_post("/api/v1/cases/{reference}/outcome", record_outcome)
