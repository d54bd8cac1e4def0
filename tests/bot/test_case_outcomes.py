"""What the web app records about a case: first contact once (on time or late), a resolved case's
contact just before it, and a resident who leaves the live chat queue or whose wait times out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.web.keys import OUTCOMES
from monitoring.schema import outcome_events
from routing.handoffs import CONTACTED, NewHandoff
from routing.live_chat import QUEUE_TIMEOUT
from storage.handoffs import HandoffStore, handoff_cases
from tests.bot.test_staff_inbox import ADVISER, inbox, post, sign_in  # noqa: F401 - inbox is a fixture

CHAT_ID = "c0ffee" * 6


def case_events(client: Any, engine: Any, reference: str) -> list[tuple[str, str | None]]:
    """The outcome events recorded about the case: (kind, value), in order; none has a conversation key."""
    key = client.app[OUTCOMES].case_key(reference)
    with engine.connect() as connection:
        rows = connection.execute(
            select(outcome_events.c.kind, outcome_events.c.value, outcome_events.c.conversation_key)
            .where(outcome_events.c.case_key == key)
            .order_by(outcome_events.c.id)
        ).all()
    assert all(row.conversation_key is None for row in rows)
    return [(row.kind, row.value) for row in rows]


def live_case(store: HandoffStore) -> str:
    new = NewHandoff(channel="webchat", mode="live", trigger="asked", conversation_id=CHAT_ID)
    return store.create(new).reference


def overdue(engine: Any, reference: str, **changes: Any) -> None:
    with engine.begin() as connection:
        connection.execute(update(handoff_cases).where(handoff_cases.c.reference == reference).values(**changes))


async def test_the_first_adviser_message_is_contact_and_only_the_first(inbox):  # noqa: F811
    client, store, engine = inbox
    reference = live_case(store)
    store.claim(reference, ADVISER[0])
    token = await sign_in(client)
    for text in ("Hello, I am Asha.", "How can I help?"):
        assert (await post(client, f"/staff/live/{reference}/send", token, message=text)).status == 303
    assert (await post(client, f"/staff/live/{reference}/hand-back", token)).status == 303
    assert case_events(client, engine, reference) == [("contact_made", "on_time"), ("resolved", None)]
    assert [event.action for event in store.get(reference).events].count(CONTACTED) == 1


async def test_a_call_back_resolved_late_is_late_contact_then_resolved(inbox):  # noqa: F811
    client, store, engine = inbox
    case = store.create(NewHandoff(channel="phone", mode="call_now", trigger="asked", conversation_id="resident-late"))
    overdue(engine, case.reference, sla_due_at=case.created_at - timedelta(minutes=1))
    token = await sign_in(client)
    await post(client, f"/staff/cases/{case.reference}/claim", token)
    await post(client, f"/staff/cases/{case.reference}/outcome", token, outcome="resolved")
    assert case_events(client, engine, case.reference) == [
        ("handoff_claimed", None),
        ("contact_made", "late"),
        ("resolved", None),
    ]


async def test_no_contact_is_recorded_when_nobody_could_be_reached(inbox):  # noqa: F811
    client, store, engine = inbox
    case = store.create(NewHandoff(channel="phone", mode="call_now", trigger="asked", conversation_id="resident-no"))
    token = await sign_in(client)
    await post(client, f"/staff/cases/{case.reference}/claim", token)
    await post(client, f"/staff/cases/{case.reference}/outcome", token, outcome="unable_to_contact")
    assert case_events(client, engine, case.reference) == [("handoff_claimed", None), ("unable_to_contact", None)]


async def test_a_resident_who_stops_waiting_leaves_the_queue(inbox):  # noqa: F811
    client, store, engine = inbox
    reference = live_case(store)
    client.session.cookie_jar.update_cookies({"chat_id": CHAT_ID})
    page = await (await client.get("/")).text()
    assert 'action="/chat/leave"' in page and "Stop waiting" in page
    left = await client.post("/chat/leave", headers={"Accept": "application/json"})
    assert left.status == 200 and (await left.json())["live"] == {"state": "none"}
    assert store.get(reference).status == "cancelled"
    await client.post("/chat/leave", allow_redirects=False)  # again: nothing left to leave
    assert case_events(client, engine, reference) == [("abandoned", "queue")]
    updates = await (await client.get("/chat/updates")).json()
    assert "You have left the queue." in updates["messages"][-1]["text"]


async def test_a_wait_that_times_out_is_left_queue_then_unable_to_contact(inbox):  # noqa: F811
    client, store, engine = inbox
    reference = live_case(store)
    long_ago = store.get(reference).created_at - QUEUE_TIMEOUT - timedelta(minutes=1)
    overdue(engine, reference, updated_at=long_ago)
    client.session.cookie_jar.update_cookies({"chat_id": CHAT_ID})
    assert (await (await client.get("/chat/updates")).json())["status"] == {"state": "none"}
    assert case_events(client, engine, reference) == [("abandoned", "queue"), ("unable_to_contact", None)]
