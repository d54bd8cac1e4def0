"""A recorded change in the staff pages: the "Changes to record" queue, and the case page with
every detail the resident gave (the inbox's fixtures are tests/bot/test_staff_inbox.py's)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from routing.handoffs import NewHandoff
from tests.bot.test_staff_inbox import inbox, sign_in

__all__ = ["inbox"]  # the fixture, used by name


async def test_a_change_shows_in_its_queue_with_its_details(inbox: Any) -> None:
    client, store, _ = inbox
    case = store.create(
        NewHandoff(
            channel="phone",
            mode="change",
            trigger="change",
            intent="tell_change",
            summary={
                "wanted": "Change: Moving home",
                "form": {"Moving date": "Friday 8 January 2027", "New address": "4 Elm Road, SO15 2AB"},
                "record_by": "2026-12-15",
            },
            due_at=datetime(2026, 12, 15, 23, 59, tzinfo=timezone.utc),
        )  # fmt: skip
    )
    await sign_in(client)
    queues = await (await client.get("/staff")).text()
    assert "Changes to record (1)" in queues and case.reference in queues and "Change to record" in queues
    page = await (await client.get(f"/staff/cases/{case.reference}")).text()
    for shown in ("They told us about a change", "Change: Moving home", "Moving date", "Friday 8 January 2027",
                  "New address", "4 Elm Road, SO15 2AB"):  # fmt: skip
        assert shown in page, shown
