"""The staff inbox and its JSON API through real HTTP, on a real database (SQLite and PostgreSQL).

Signing in, roles, CSRF, resident text shown inert, claims racing, and bad API input refused with
nothing changed.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.web.app import create_app
from bot.web.keys import OUTCOMES
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from storage.handoffs import HandoffStore
from storage.staff import StaffAccounts, StaffSessions
from tests.conftest import free_port
from tests.databases import ADVISER, MANAGER, add_test_staff
from wiring.settings import Settings

SCRIPT = "<script>alert('x')</script> my bin was missed"


@pytest.fixture
async def inbox(engine: Any, tmp_path: Path) -> AsyncIterator[tuple[TestClient, HandoffStore, Any]]:
    add_test_staff(engine)
    settings = Settings(
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), host="127.0.0.1",
        var_dir=tmp_path, database_url=make_url(engine.url).render_as_string(hide_password=False),
        tracker_db=tmp_path / "tracker.db", model_path=tmp_path / "model.tar.gz",
    )  # fmt: skip
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client, HandoffStore(engine, load_schedule()), engine


def new_case(store: HandoffStore, text: str = SCRIPT) -> str:
    case = store.create(
        NewHandoff(
            channel="phone",
            mode="call_now",
            trigger="asked",
            service_code="missed_bin",
            summary={"wanted": "Report a problem: Missed bin", "form": {"location": text}},
            transcript=[{"who": "resident", "text": text}, {"who": "assistant", "text": "Here is how to reach us."}],
            needs=[{"category": "older_age", "cue": "i'm 84"}],
        )  # fmt: skip
    )
    return case.reference


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def sign_in(client: TestClient, who: tuple[str, ...] = ADVISER) -> str:
    """Sign in through the form; the CSRF token of the session's pages."""
    page = await client.get("/staff/sign-in")
    answer = await client.post(
        "/staff/sign-in", data={"csrf_token": csrf(await page.text()), "username": who[0], "password": who[1]},
        allow_redirects=False,
    )  # fmt: skip
    assert answer.status == 303, await answer.text()
    queues = await client.get("/staff")
    return csrf(await queues.text())


async def post(client: TestClient, path: str, token: str | None, **fields: str) -> ClientResponse:
    data = dict(fields, **({"csrf_token": token} if token else {}))
    return await client.post(path, data=data, allow_redirects=False)


async def test_signed_out_visitors_are_sent_to_sign_in(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    for path in ("/staff", f"/staff/cases/{reference}", "/staff/team"):
        answer = await client.get(path, allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    answer = await client.post(f"/staff/cases/{reference}/claim", allow_redirects=False)
    assert answer.status == 303
    assert store.get(reference).status == "queued"


async def test_a_wrong_password_shows_the_form_again_with_a_plain_message(inbox):
    client, _, _ = inbox
    page = await client.get("/staff/sign-in")
    answer = await client.post(
        "/staff/sign-in", data={"csrf_token": csrf(await page.text()), "username": "asha", "password": "nope"}
    )
    assert answer.status == 401
    assert "That username and password do not match." in await answer.text()


async def test_sign_in_without_the_forms_token_is_refused(inbox):
    client, _, _ = inbox
    answer = await client.post("/staff/sign-in", data={"username": ADVISER[0], "password": ADVISER[1]})
    assert answer.status == 403


async def test_the_session_cookie_cannot_be_read_by_scripts_or_sent_by_other_sites(inbox):
    client, _, _ = inbox
    page = await client.get("/staff/sign-in")
    answer = await client.post(
        "/staff/sign-in", data={"csrf_token": csrf(await page.text()), "username": ADVISER[0], "password": ADVISER[1]},
        allow_redirects=False,
    )  # fmt: skip
    cookie = next(value for key, value in answer.headers.items() if key == "Set-Cookie" and "staff_session=" in value)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_an_adviser_cannot_open_the_managers_page(inbox):
    client, _, _ = inbox
    await sign_in(client, ADVISER)
    assert (await client.get("/staff/team")).status == 403


async def test_a_manager_can(inbox):
    client, _, _ = inbox
    await sign_in(client, MANAGER)
    answer = await client.get("/staff/team")
    assert answer.status == 200 and ADVISER[3] in await answer.text()


async def test_every_form_needs_the_sessions_csrf_token(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    await sign_in(client)
    for path, fields in [
        (f"/staff/cases/{reference}/claim", {}),
        (f"/staff/cases/{reference}/notes", {"note": "hello"}),
        ("/staff/availability", {"available": "yes"}),
    ]:
        assert (await post(client, path, None, **fields)).status == 403, path
        assert (await post(client, path, "forged-token", **fields)).status == 403, path
    case = store.get(reference)
    assert case.status == "queued" and len(case.events) == 1


async def test_resident_text_is_shown_as_text_never_run(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    await sign_in(client)
    html = await (await client.get(f"/staff/cases/{reference}")).text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; my bin was missed" in html
    assert "i&#39;m 84" in html


async def test_claim_note_and_outcome_through_the_case_page(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    token = await sign_in(client)
    assert (await post(client, f"/staff/cases/{reference}/claim", token)).status == 303
    assert (await post(client, f"/staff/cases/{reference}/notes", token, note="Rang, left a message.")).status == 303
    bad = await post(client, f"/staff/cases/{reference}/outcome", token, outcome="vanished")
    assert bad.status == 400 and "Choose what happened" in await bad.text()
    done = await post(client, f"/staff/cases/{reference}/outcome", token, outcome="resolved", note="Sorted.")
    assert done.status == 303
    case = store.get(reference)
    assert case.status == "resolved" and case.claimed_by == "asha"
    assert [event.action for event in case.events] == ["created", "claimed", "note", "resolved"]


async def test_two_advisers_claiming_at_once_exactly_one_wins(inbox):
    client, store, engine = inbox
    reference = new_case(store)
    StaffAccounts(engine).add("ben", "another long password", "staff")
    token_asha = await sign_in(client, ADVISER)
    other = TestClient(TestServer(client.app))  # a second browser on the same app
    await other.start_server()
    try:
        token_ben = await sign_in(other, ("ben", "another long password"))
        answers = await asyncio.gather(
            post(client, f"/staff/cases/{reference}/claim", token_asha),
            post(other, f"/staff/cases/{reference}/claim", token_ben),
        )
    finally:
        await other.close()
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [303, 409], statuses
    assert store.get(reference).claimed_by in ("asha", "ben")
    assert [event.action for event in store.get(reference).events].count("claimed") == 1


async def test_sign_out_ends_the_session(inbox):
    client, _, _ = inbox
    token = await sign_in(client)
    assert (await post(client, "/staff/sign-out", token)).status == 303
    assert (await client.get("/staff", allow_redirects=False)).status == 303


async def test_the_queue_lists_cases_with_their_due_time(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    await sign_in(client)
    html = await (await client.get("/staff")).text()
    assert reference in html and "Told to phone or visit (1)" in html and "due in" in html


async def test_a_complaint_shows_in_the_complaints_queue_with_the_residents_words(inbox):
    client, store, _ = inbox
    about = "the man at the Gateway who was rude to me"
    case = store.create(
        NewHandoff(
            channel="phone",
            mode="complaint",
            trigger="complaint",
            intent="make_complaint",
            summary={
                "wanted": f"Complaint (stage 1): {about}",
                "form": {"complaint about": about, "what happened and what would put it right": "An apology."},
            },
            needs=[{"category": "frustration", "cue": "third time"}],
            due_at=datetime(2026, 12, 15, 23, 59, tzinfo=timezone.utc),
        )  # fmt: skip
    )
    await sign_in(client)
    queues = await (await client.get("/staff")).text()
    assert "Complaints (1)" in queues and case.reference in queues and "Complaint (reply by phone or letter)" in queues
    page = await (await client.get(f"/staff/cases/{case.reference}")).text()
    for shown in ("They made a complaint", "Complaint about", about, "An apology.", "Frustrated", "third time"):
        assert shown in page, shown


# --- the JSON API ------------------------------------------------------------------------------


@pytest.fixture
def api_token(inbox) -> str:
    _, _, engine = inbox
    return StaffSessions(engine, StaffAccounts(engine)).new_api_token("asha")


async def test_the_api_needs_a_token(inbox):
    client, store, _ = inbox
    new_case(store)
    answer = await client.get("/api/v1/cases")
    assert answer.status == 401 and "error" in await answer.json()
    answer = await client.get("/api/v1/cases", headers={"Authorization": "Bearer cca_made_up"})
    assert answer.status == 401


async def test_the_api_lists_reads_claims_and_closes_a_case(inbox, api_token):
    client, store, _ = inbox
    reference = new_case(store)
    auth = {"Authorization": f"Bearer {api_token}"}
    listed = await (await client.get("/api/v1/cases", headers=auth)).json()
    assert [case["reference"] for case in listed["cases"]] == [reference]
    full = await (await client.get(f"/api/v1/cases/{reference}", headers=auth)).json()
    assert full["transcript"][0]["text"] == SCRIPT and full["status"] == "queued"
    assert (await client.post(f"/api/v1/cases/{reference}/claim", headers=auth)).status == 200
    again = await client.post(f"/api/v1/cases/{reference}/claim", headers=auth)
    assert again.status == 409 and "already claimed" in (await again.json())["error"]
    closed = await client.post(f"/api/v1/cases/{reference}/outcome", headers=auth, json={"outcome": "resolved"})
    assert (await closed.json())["status"] == "resolved"


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("notes", b"not json", 400, "JSON object"),
        ("notes", b"[1, 2]", 400, "JSON object"),
        ("notes", b"{}", 400, "'note' is required"),
        ("notes", b'{"note": 42}', 400, "must be a string"),
        ("notes", b'{"note": "   "}', 400, "cannot be empty"),
        ("notes", b'{"note": "ok", "status": "resolved"}', 400, "Unknown field"),
        ("outcome", b'{"outcome": "vanished"}', 400, "outcome must be one of"),
        ("outcome", b'{"outcome": "resolved"}', 409, "cannot be resolved"),
    ],
)
async def test_malformed_api_input_is_refused_clearly_and_changes_nothing(
    inbox, api_token, path, body, status, message
):
    client, store, _ = inbox
    reference = new_case(store)
    headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    answer = await client.post(f"/api/v1/cases/{reference}/{path}", data=body, headers=headers)
    assert answer.status == status
    assert message in (await answer.json())["error"]
    case = store.get(reference)
    assert case.status == "queued" and len(case.events) == 1


async def test_unknown_references_and_filters_are_4xx(inbox, api_token):
    client, _, _ = inbox
    auth = {"Authorization": f"Bearer {api_token}"}
    assert (await client.get("/api/v1/cases/SCC-ZZZZZZ", headers=auth)).status == 404
    assert (await client.get("/api/v1/cases/'; DROP TABLE--", headers=auth)).status == 404
    assert (await client.get("/api/v1/cases?status=lost", headers=auth)).status == 400
    assert (await client.get("/api/v1/cases?channel=pigeon", headers=auth)).status == 400


async def test_a_browser_session_needs_the_csrf_header_to_change_anything(inbox):
    client, store, _ = inbox
    reference = new_case(store)
    token = await sign_in(client)
    assert (await client.post(f"/api/v1/cases/{reference}/claim")).status == 403
    assert (await client.post(f"/api/v1/cases/{reference}/claim", headers={"X-CSRF-Token": token})).status == 200


async def test_the_openapi_description_is_served(inbox):
    client, _, _ = inbox
    answer = await client.get("/api/v1/openapi.yaml")
    assert answer.status == 200 and "/api/v1/cases/{reference}/claim" in await answer.text()


async def test_closing_a_live_chat_with_an_outcome_tells_the_resident(inbox):
    client, store, engine = inbox
    from storage.live_chat import LiveChats

    case = store.create(NewHandoff(channel="webchat", mode="live", trigger="asked", conversation_id="resident-x"))
    token = await sign_in(client)
    await post(client, f"/staff/cases/{case.reference}/claim", token)
    page = await client.get(f"/staff/live/{case.reference}")
    assert page.status == 200 and "Hand back to the assistant" in await page.text()
    sent = await post(client, f"/staff/live/{case.reference}/send", token, message="Hello, <b>Asha</b> here")
    assert sent.status == 303
    done = await post(client, f"/staff/cases/{case.reference}/outcome", token, outcome="resolved")
    assert done.status == 303
    said = [(m.sender, m.text) for m in LiveChats(engine, store).messages(case.reference)]
    assert said[0] == ("adviser", "Hello, <b>Asha</b> here")
    assert said[-1][0] == "system" and "closed the chat" in said[-1][1]
    html = await (await client.get(f"/staff/live/{case.reference}")).text()
    assert "Hello, &lt;b&gt;Asha&lt;/b&gt; here" in html and "This chat has ended." in html


async def test_an_adviser_cannot_release_or_close_a_colleagues_case(inbox, api_token):
    client, store, engine = inbox
    reference = new_case(store)
    StaffAccounts(engine).add("ben", "another long password", "staff")
    store.claim(reference, "ben")
    token = await sign_in(client)
    answer = await post(client, f"/staff/cases/{reference}/outcome", token, outcome="resolved")
    assert answer.status == 409 and "only they or a manager" in await answer.text()
    auth = {"Authorization": f"Bearer {api_token}"}
    assert (await client.post(f"/api/v1/cases/{reference}/release", headers=auth)).status == 409
    assert store.get(reference).status == "claimed" and store.get(reference).claimed_by == "ben"


@pytest.mark.parametrize("after", ["99999999999999999999999", "-5", "abc", ""])
async def test_odd_after_values_on_the_chat_updates_are_answered_not_crashed(inbox, after):
    client, _, _ = inbox
    client.session.cookie_jar.update_cookies({"chat_id": "a" * 32})
    answer = await client.get(f"/chat/updates?after={after}")
    assert answer.status == 200 and (await answer.json())["status"] == {"state": "none"}


async def test_claiming_and_closing_a_case_is_recorded_for_the_residents_conversation(inbox):
    client, store, engine = inbox
    from sqlalchemy import select

    from monitoring.schema import outcome_events

    case = store.create(NewHandoff(channel="phone", mode="call_now", trigger="asked", conversation_id="resident-y"))
    token = await sign_in(client)
    await post(client, f"/staff/cases/{case.reference}/claim", token)
    await post(client, f"/staff/cases/{case.reference}/outcome", token, outcome="unable_to_contact")
    key = client.app[OUTCOMES].case_key(case.reference)
    with engine.connect() as connection:
        kinds = list(
            connection.execute(
                select(outcome_events.c.kind, outcome_events.c.handoff_channel, outcome_events.c.conversation_key)
                .where(outcome_events.c.case_key == key)
                .order_by(outcome_events.c.id)
            )
        )
    # Staff events belong to the case; its handoff_accepted event ties it to the conversation.
    assert kinds == [("handoff_claimed", "phone", None), ("unable_to_contact", "phone", None)]


async def test_a_manager_can_close_a_colleagues_case(inbox):
    client, store, engine = inbox
    reference = new_case(store)
    store.claim(reference, "asha")
    token = await sign_in(client, MANAGER)
    answer = await post(client, f"/staff/cases/{reference}/outcome", token, outcome="resolved")
    assert answer.status == 303 and store.get(reference).status == "resolved"
