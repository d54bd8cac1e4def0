"""One mapping from the case service's refusals to HTTP: 404, 409 or 400, with a plain message."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from bot.web.refusals import NO_SUCH_CASE, json_refusal, page_refusal, refusal
from routing.handoffs import AlreadyClaimed, CaseNotFound, HandoffError, InvalidTransition, NotYours


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (CaseNotFound("no handoff case SCC-ZZZZZZ"), 404, NO_SUCH_CASE),
        (InvalidTransition("case SCC-ZZZZZZ is resolved; it cannot be claimed"), 409, "it cannot be claimed"),
        (AlreadyClaimed("case SCC-ZZZZZZ is already claimed by ben"), 409, "already claimed"),
        (NotYours("case SCC-ZZZZZZ is with ben; only they or a manager can change it"), 409, "only they"),
        (HandoffError("a note cannot be empty"), 400, "cannot be empty"),
    ],
)
def test_each_refusal_has_one_status_for_the_pages_and_the_api(error, status, message):
    kind, said = refusal(error)
    assert kind.status_code == status and message in said
    as_json = json_refusal(error)
    assert as_json.status == status and as_json.content_type == "application/json"
    assert json.loads(as_json.text or "") == {"error": said}
    as_page = page_refusal(error)
    assert isinstance(as_page, web.HTTPException) and as_page.status == status and as_page.text == said
