"""The reports queue in the staff inbox: ``/staff/reports`` lists the reports by stage, and
``/staff/reports/{reference}`` shows one with its history and a form to move it on.

For councils with no back office, or while it is away: what staff write here is what the resident
hears when they ask about their report (``routing.report_replies``), so the page shows that reply.
Advisers and managers both use it. Every refusal (no such report, a stage it cannot move to, a note
that is empty, too long or HTML, a form sent twice or after someone else's change) is the page
again with a plain message and what was typed still in the form, never a 500.
"""

from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web

from bot.web.keys import BACK_OFFICE, OUTCOMES, REPORTS
from bot.web.rendering import render
from bot.web.staff_auth import signed_in, staff_page
from monitoring.events import report_change
from routing import clock
from routing.catalogue import default_catalogue
from routing.references import find_reference
from routing.report_replies import report_status
from routing.reports import (
    MAX_PUBLIC_NOTE_LENGTH,
    NEXT_STAGES,
    STAGE_NAMES,
    STAGES,
    ChangedMeanwhile,
    NoteRefused,
    RepeatedChange,
    ReportError,
    ReportNotFound,
    ServiceRequest,
    StageNotAllowed,
    UnknownStage,
    age_text,
)
from storage.engine import open_engine
from storage.open311_outbox import FAILED, HELD, SENT, Open311Outbox, OutboxEntry
from storage.reports import OPEN_STAGES, ReportStore
from wiring.settings import Settings, channel_schedule

NO_SUCH_REPORT = "There is no report with that reference. Check the reference and try again."
CHOOSE_STAGE = "Choose the stage to move the report to."
WRITE_A_NOTE = "Write a note for the resident: it is what they hear when they ask about their report."
SAVED = "Saved. This is what the resident hears when they ask about their report."
OPEN = "open"  # the queue's default view: every open stage, one table each


def _services() -> dict[str, str]:
    """The services a resident can report, by code, with their names."""
    return {service.code: service.name for service in default_catalogue().for_intent("report_issue")}


def what_it_is(report: ServiceRequest) -> tuple[str, str | None]:
    """The report's service as the resident hears it ("a pothole" style, lower case) and its
    response time, as ``actions.tasks`` says them."""
    service = default_catalogue().get(report.service_code)
    what = service.name.lower() if service else "a problem"
    return what, ((service.report or {}).get("response_time") if service else None)


def back_office_text(entry: OutboxEntry | None) -> str | None:
    """Where the report is with the council's back office (Open311), for staff; None when the
    connector is off or the report is not for it."""
    if entry is None:
        return None
    if entry.state == SENT:
        return f"Sent. Its number there is {entry.back_office_id}." if entry.back_office_id else "Sent."
    reason = f" {entry.last_error}" if entry.last_error else ""
    if entry.state in (HELD, FAILED):
        return f"Not sent, so the team here handles it.{reason}"
    tries = f" after {entry.attempts} tries so far" if entry.attempts else ""
    return f"Waiting to be sent{tries}.{reason}"


@staff_page()
async def reports_queue(request: web.Request) -> web.StreamResponse:
    """The open reports by stage (or one stage, closed ones too), of one service if chosen, the
    longest waiting first."""
    services = _services()
    stage = request.query.get("stage", OPEN) or OPEN
    service = request.query.get("service") or None
    problems = []
    if stage != OPEN and stage not in STAGES:
        problems.append(f"There is no stage called {stage[:40]!r}, so every open report is shown.")
        stage = OPEN
    if service is not None and service not in services:
        problems.append("There is no service with that code, so every service is shown.")
        service = None
    store = request.app[REPORTS]
    shown = OPEN_STAGES if stage == OPEN else (stage,)
    groups = [(each, store.queue((each,), service_code=service)) for each in shown]
    back_office = request.app[BACK_OFFICE]
    return render(
        request, "staff/reports.html", status=400 if problems else 200, session=signed_in(request),
        groups=groups, counts=store.counts(service), stage=stage, service=service, services=services,
        stage_names=STAGE_NAMES, stages=STAGES, problems=problems, age=age_text, now=clock.now(),
        not_sent=len(back_office.not_sent()), missing_codes=back_office.last_check().missing_codes,
    )  # fmt: skip


def _reference(request: web.Request) -> str:
    found = find_reference(request.match_info["reference"]).reference
    if found is None:
        raise web.HTTPNotFound(text=NO_SUCH_REPORT)
    return found


def _report_page(
    request: web.Request, reference: str, status: int = 200, error: str | None = None,
    notice: str | None = None, typed: dict[str, str] | None = None,
) -> web.Response:  # fmt: skip
    """The report, what the resident hears, its history and the form (with what was typed, after a refusal)."""
    store = request.app[REPORTS]
    report = store.get(reference)
    if report is None:
        raise web.HTTPNotFound(text=NO_SUCH_REPORT)
    what, response_time = what_it_is(report)
    return render(
        request, "staff/report.html", status=status, session=signed_in(request), report=report,
        history=store.history(reference), heard=[reply.text for reply in report_status(report, what, response_time)],
        service_name=_services().get(report.service_code, report.service_code), stage_names=STAGE_NAMES,
        next_stages=NEXT_STAGES.get(report.stage, ()), error=error, notice=notice, typed=typed or {},
        max_note=MAX_PUBLIC_NOTE_LENGTH, local=channel_schedule().local,
        back_office=back_office_text(request.app[BACK_OFFICE].delivery(reference)),
        age=age_text(report.requested_datetime, clock.now()),
    )  # fmt: skip


@staff_page()
async def report_page(request: web.Request) -> web.StreamResponse:
    """One report: what was reported, where it is, what the resident hears now, and its history."""
    changed = request.query.get("changed") == "1"
    return _report_page(request, _reference(request), notice=SAVED if changed else None)


def _refusal_status(error: ReportError) -> int:
    """400 for what was typed (an unknown stage, a bad note); 409 when the report's stage, or
    someone else's change, stands in the way."""
    return 400 if isinstance(error, (UnknownStage, NoteRefused)) else 409


@staff_page()
async def change_stage(request: web.Request) -> web.StreamResponse:
    """Move the report on with a note for the resident; back to the report, saying it was saved."""
    reference, form = _reference(request), await request.post()
    stage, note = str(form.get("stage", "")).strip(), str(form.get("note", ""))
    typed = {"stage": stage, "note": note}
    seen_raw = str(form.get("seen_changes", ""))
    seen = int(seen_raw) if seen_raw.isascii() and seen_raw.isdigit() and len(seen_raw) < 10 else None
    if not stage:
        return _report_page(request, reference, status=400, error=CHOOSE_STAGE, typed=typed)
    if not note.strip():
        return _report_page(request, reference, status=400, error=WRITE_A_NOTE, typed=typed)
    store = request.app[REPORTS]
    before = store.get(reference)
    try:
        after = store.change_stage(reference, stage, note, signed_in(request).user.username, seen_changes=seen)
    except ReportNotFound:
        raise web.HTTPNotFound(text=NO_SUCH_REPORT) from None
    except RepeatedChange as repeated:
        return _report_page(request, reference, notice=str(repeated))
    except (StageNotAllowed, NoteRefused, ChangedMeanwhile) as refused:
        return _report_page(request, reference, status=_refusal_status(refused), error=str(refused), typed=typed)
    record_report_change(request.app, before, after)
    raise web.HTTPSeeOther(f"/staff/reports/{reference}?changed=1")


def record_report_change(app: web.Application, before: ServiceRequest | None, after: ServiceRequest) -> None:
    """The outcome event for a report closed or opened again (``monitoring.events.report_change``:
    no words, and the reference only as a keyed hash, which ties it to the conversation it was made in)."""
    change = report_change(before, after)
    if change is not None:
        kind, fields = change
        app[OUTCOMES].record(after.service_request_id, kind, case=after.service_request_id, **fields)


def add_report_routes(app: web.Application, settings: Settings) -> None:
    """Register the reports queue's pages, and open its store with the app."""

    async def reports(app: web.Application) -> AsyncIterator[None]:
        # Runs after the app's database context, which has made the tables.
        engine = open_engine(settings.database_url)
        app[REPORTS] = ReportStore(engine)
        app[BACK_OFFICE] = Open311Outbox(engine)
        yield
        engine.dispose()

    app.cleanup_ctx.append(reports)
    app.router.add_get("/staff/reports", reports_queue)
    app.router.add_get("/staff/reports/{reference}", report_page)
    app.router.add_post("/staff/reports/{reference}/stage", change_stage)
