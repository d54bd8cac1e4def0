"""The reports queue in the staff inbox through the real web app, on a real database (SQLite and
PostgreSQL): the queue by stage and service, a report's page, moving it on with a note for the
resident, every bad input answered politely with nothing lost, and the outcome event on closing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from bot.web.keys import OUTCOMES
from monitoring.schema import outcome_events
from storage.open311_outbox import Open311Outbox
from storage.reports import ReportStore
from tests.bot.test_staff_inbox import ADVISER, MANAGER, inbox, post, sign_in  # noqa: F401 - inbox is a fixture

MONDAY = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)


def made(engine: Any, where: str = "outside 12 Hill Lane", service: str = "pothole", details: str = "A deep hole."):
    return ReportStore(engine).create(service, service.upper(), where, details).service_request_id


def seen(html: str) -> str:
    found = re.search(r'name="seen_changes" value="(\d+)"', html)
    assert found, "the report page has no seen_changes field"
    return found.group(1)


async def move(client: Any, reference: str, token: str, **fields: str) -> Any:
    page = await (await client.get(f"/staff/reports/{reference}")).text()
    return await post(client, f"/staff/reports/{reference}/stage", token, seen_changes=seen(page), **fields)


def report_events(client: Any, engine: Any, reference: str) -> list[tuple[str, str | None, str | None]]:
    key = client.app[OUTCOMES].case_key(reference)
    with engine.connect() as connection:
        rows = connection.execute(
            select(outcome_events.c.kind, outcome_events.c.service, outcome_events.c.value)
            .where(outcome_events.c.case_key == key)
            .order_by(outcome_events.c.id)
        ).all()
    return [tuple(row) for row in rows]


async def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_changes(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    for path in ("/staff/reports", f"/staff/reports/{reference}"):
        answer = await client.get(path, allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    answer = await post(client, f"/staff/reports/{reference}/stage", None, stage="closed", note="Done.")
    assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in")
    assert ReportStore(engine).get(reference).stage == "new"


@pytest.mark.parametrize("who", [ADVISER, MANAGER])
async def test_advisers_and_managers_both_see_the_open_reports_oldest_first(inbox, set_clock, who):  # noqa: F811
    client, _, engine = inbox
    set_clock(MONDAY)
    older = made(engine, "Portswood Road")
    set_clock(MONDAY + timedelta(days=2))
    newer = made(engine, "Shirley High Street", service="graffiti")
    set_clock(MONDAY + timedelta(days=3))
    await sign_in(client, who)
    html = await (await client.get("/staff/reports")).text()
    assert html.index(older) < html.index(newer)
    assert "Portswood Road" in html and "3 days" in html and "1 day" in html
    assert "Potholes and damaged roads or pavements" in html and "Graffiti" in html


async def test_the_queue_filters_by_stage_and_service_and_reaches_closed_reports(inbox):  # noqa: F811
    client, _, engine = inbox
    pothole, graffiti, closed = made(engine, "Hill Lane"), made(engine, "Bevois Valley", "graffiti"), made(engine)
    ReportStore(engine).change_stage(closed, "closed", "Filled.", "asha")
    await sign_in(client)
    only_graffiti = await (await client.get("/staff/reports?service=graffiti")).text()
    assert graffiti in only_graffiti and pothole not in only_graffiti
    open_ones = await (await client.get("/staff/reports")).text()
    assert pothole in open_ones and closed not in open_ones
    closed_ones = await (await client.get("/staff/reports?stage=closed")).text()
    assert closed in closed_ones and pothole not in closed_ones


@pytest.mark.parametrize("query", ["stage=fixed", "service=unicorns", "stage=%3Cscript%3E"])
async def test_a_filter_that_does_not_exist_is_explained_and_everything_open_is_shown(inbox, query):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    await sign_in(client)
    answer = await client.get(f"/staff/reports?{query}")
    html = await answer.text()
    assert answer.status == 400
    assert "There is a problem" in html and reference in html
    assert "<script>" not in html


@pytest.mark.parametrize("reference", ["SCC-ZZZZZZ", "not-a-reference", "SCC-"])
async def test_an_unknown_report_is_a_polite_404(inbox, reference):  # noqa: F811
    client, _, _ = inbox
    token = await sign_in(client)
    answer = await client.get(f"/staff/reports/{reference}")
    assert answer.status == 404 and "There is no report with that reference" in await answer.text()
    answer = await post(client, f"/staff/reports/{reference}/stage", token, stage="closed", note="Done.")
    assert answer.status == 404 and "There is no report with that reference" in await answer.text()


async def test_a_report_page_shows_the_report_as_text_and_what_the_resident_hears(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine, where="<script>alert('x')</script> Hill Lane")
    await sign_in(client)
    html = await (await client.get(f"/staff/reports/{reference}")).text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert f"Your report {reference} about potholes and damaged roads or pavements was sent on" in html
    assert "hears this, word for word" in html


async def test_moving_a_report_on_is_saved_shown_in_its_history_and_heard_by_the_resident(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    token = await sign_in(client)
    answer = await move(client, reference, token, stage="in_progress", note="The crew comes on Friday.")
    assert answer.status == 303 and answer.headers["Location"] == f"/staff/reports/{reference}?changed=1"
    html = await (await client.get(answer.headers["Location"])).text()
    assert "Saved." in html
    assert "asha moved it to in progress." in html and "The crew comes on Friday." in html
    assert "is being worked on now" in html and "The team&#39;s latest note: The crew comes on Friday." in html
    report = ReportStore(engine).get(reference)
    assert (report.stage, report.status_notes) == ("in_progress", "The crew comes on Friday.")


@pytest.mark.parametrize(
    ("fields", "status", "said"),
    [
        ({"stage": "in_progress", "note": ""}, 400, "Write a note for the resident"),
        ({"stage": "in_progress", "note": "   "}, 400, "Write a note for the resident"),
        ({"note": "Booked in."}, 400, "Choose the stage to move the report to."),
        ({"stage": "fixed", "note": "Booked in."}, 400, "There is no stage called"),
        ({"stage": "new", "note": "Back to the start."}, 409, "it cannot move to new"),
        ({"stage": "closed", "note": "<b>Filled</b>"}, 400, "must be plain text, without HTML tags"),
        ({"stage": "closed", "note": "Filled. " * 100}, 400, "can be at most 500 characters"),
    ],
)
async def test_bad_input_gets_a_clear_answer_and_keeps_what_was_typed(inbox, fields, status, said):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    ReportStore(engine).change_stage(reference, "acknowledged", "We have seen it.", "morgan")
    token = await sign_in(client)
    answer = await move(client, reference, token, **fields)
    html = await answer.text()
    assert answer.status == status, html
    assert said in html and "There is a problem" in html
    typed = fields.get("note", "").strip()
    if typed:
        assert typed.replace("<", "&lt;").replace(">", "&gt;")[:40] in html  # kept in the form, as text
    assert ReportStore(engine).get(reference).changes == 1


async def test_a_form_sent_twice_is_recorded_once_and_says_so(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    token = await sign_in(client)
    page = await (await client.get(f"/staff/reports/{reference}")).text()
    fields = {"stage": "closed", "note": "Filled.", "seen_changes": seen(page)}
    first = await post(client, f"/staff/reports/{reference}/stage", token, **fields)
    again = await post(client, f"/staff/reports/{reference}/stage", token, **fields)
    assert first.status == 303
    assert again.status == 200 and "already at that stage with that note" in await again.text()
    assert len(ReportStore(engine).history(reference)) == 1


async def test_a_change_after_someone_elses_records_nothing_and_keeps_the_note(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    token = await sign_in(client)
    page = await (await client.get(f"/staff/reports/{reference}")).text()
    ReportStore(engine).change_stage(reference, "closed", "Filled by the night crew.", "morgan")
    answer = await post(
        client, f"/staff/reports/{reference}/stage", token, seen_changes=seen(page), stage="in_progress",
        note="The crew comes on Friday.",
    )  # fmt: skip
    html = await answer.text()
    assert answer.status == 409 and "changed by someone else after you opened it" in html
    assert "The crew comes on Friday." in html and "Filled by the night crew." in html
    assert ReportStore(engine).get(reference).stage == "closed"


async def test_every_report_form_needs_the_sessions_csrf_token(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    await sign_in(client)
    for token in (None, "forged-token"):
        answer = await post(client, f"/staff/reports/{reference}/stage", token, stage="closed", note="Done.")
        assert answer.status == 403
    assert ReportStore(engine).get(reference).changes == 0


async def test_closing_a_report_records_its_band_and_service_and_reopening_is_noted(inbox, set_clock):  # noqa: F811
    client, _, engine = inbox
    set_clock(MONDAY)
    reference = made(engine)
    set_clock(MONDAY + timedelta(days=3))
    token = await sign_in(client)
    assert (await move(client, reference, token, stage="closed", note="Filled.")).status == 303
    assert (await move(client, reference, token, stage="in_progress", note="It has opened up again.")).status == 303
    assert report_events(client, engine, reference) == [
        ("report_closed", "pothole", "7_days"),
        ("report_reopened", "pothole", None),
    ]


async def test_staff_see_which_reports_the_back_office_did_not_take_and_why(inbox):  # noqa: F811
    """With the Open311 connector on: a report whose service the back office does not offer is held
    here, and the queue and the report's page say so; a report sent shows its number there."""
    client, _, engine = inbox
    outbox = Open311Outbox(engine)
    now = datetime.now(timezone.utc)
    outbox.send_from(now - timedelta(minutes=1))  # the connector's first start
    held, sent = made(engine, service="fly_tipping"), made(engine)
    outbox.adopt(now - timedelta(minutes=1), now)
    outbox.record_check(now, ["FLY_TIPPING"])
    outbox.hold(["FLY_TIPPING"], now, "The back office does not offer the service code FLY_TIPPING.")
    [entry] = [entry for entry in outbox.claim("sender-1", now, 60) if entry.reference == sent]
    outbox.sent(entry.id, "sender-1", now, "BO-4471", None)
    await sign_in(client)

    queue = await (await client.get("/staff/reports")).text()
    assert "1 report was not sent to the council's back office" in queue
    assert "does not offer these service codes: FLY_TIPPING" in queue
    held_page = await (await client.get(f"/staff/reports/{held}")).text()
    assert "Not sent, so the team here handles it. The back office does not offer the service code" in held_page
    sent_page = await (await client.get(f"/staff/reports/{sent}")).text()
    assert "Sent. Its number there is BO-4471." in sent_page


async def test_without_a_back_office_the_pages_say_nothing_about_one(inbox):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    await sign_in(client)
    for path in ("/staff/reports", f"/staff/reports/{reference}"):
        assert "back office" not in await (await client.get(path)).text()


@pytest.mark.parametrize("seen_changes", ["²", "1" * 40, "-1", ""])
async def test_a_form_with_a_mangled_change_count_is_still_answered_politely(inbox, seen_changes):  # noqa: F811
    client, _, engine = inbox
    reference = made(engine)
    token = await sign_in(client)
    answer = await post(
        client, f"/staff/reports/{reference}/stage", token, seen_changes=seen_changes, stage="acknowledged",
        note="We have it.",
    )  # fmt: skip
    assert answer.status in (303, 409)
    assert ReportStore(engine).get(reference).stage in ("new", "acknowledged")
