"""The managers' dashboard at ``/dashboard`` and the ESIA monitoring report: thin handlers.

The figures come from ``monitoring`` only (``build_dashboard`` and ``build_report``), where
disclosure control is applied; this module reads the filters, brings the counters up to date off
the event loop, and renders. Nothing here computes or shows a count of its own.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.web.charts import chart_for
from bot.web.keys import ENGINE, THRESHOLDS
from bot.web.rendering import render
from bot.web.staff_auth import current_session, signed_in, staff_page
from monitoring.dashboard import TABLE_KEYS, Dashboard, build_dashboard, csv_rows
from monitoring.events import ENTRY_CHANNELS
from monitoring.figures import NOT_SHOWN
from monitoring.metric_definitions import BY_KEY
from monitoring.metric_values import FilterError, Filters, Period, read_period
from monitoring.refresh import LOCAL, refresh
from monitoring.report import Report, build_report, definitions, period_text, previous_filters
from monitoring.thresholds import Thresholds
from routing import clock
from routing.catalogue import default_catalogue

logger = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
ENTRY_NAMES = {"web": "Chat page", "rest": "REST API (other apps)", "embed": "Chat embedded on a council page"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PRIVATE = {"Cache-Control": "private, no-store"}  # figures for managers: no shared or stored copies
FILTER_FIELDS = ("start", "end", "service", "entry")
PROBLEM_TITLES = {
    400: "There is a problem",
    403: "You cannot see this page",
    404: "Page not found",
    503: "Sorry, the figures are not available",
}
UNAVAILABLE = "The monitoring database is not answering just now. Please try again in a few minutes."


REFRESH_SECONDS = 60


async def keep_figures_fresh(engine: Engine, every: float = REFRESH_SECONDS) -> None:
    """Take in new outcome events in the background (off the event loop), so a manager's page
    load rarely has any left to do. Runs until cancelled; a failure is logged and tried again."""
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(refresh, engine)
        except Exception:  # noqa: BLE001 - the figures wait; the web app carries on
            logger.exception("Could not bring the monitoring figures up to date; trying again later")


def manager_page(handler: Handler) -> Handler:
    """A page for managers: signed-out users go to sign in, staff get a polite 403 page."""
    guarded = staff_page(role="manager")(handler)

    @wraps(handler)
    async def page(request: web.Request) -> web.StreamResponse:
        try:
            return await guarded(request)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            return problem(request, error.status, error.text or error.reason)
        except DBAPIError:
            logger.exception("Could not read the monitoring figures")
            return problem(request, 503, UNAVAILABLE)

    return page


def problem(request: web.Request, status: int, message: str | None) -> web.Response:
    """A plain GOV.UK page saying what went wrong."""
    return render(
        request, "dashboard/problem.html", status=status, session=current_session(request),
        title=PROBLEM_TITLES.get(status, "There is a problem"), message=message,
    )  # fmt: skip


def _today() -> date:
    return clock.now().astimezone(LOCAL).date()


def _services() -> dict[str, str]:
    return {code: service.name for code, service in default_catalogue().services.items()}


def filters_of(request: web.Request) -> Filters:
    """The filters in the query string; raises ``FilterError`` with a plain message."""
    return Filters.from_query(request.query, _today(), set(_services()), set(ENTRY_CHANNELS))


def _periods(engine: Engine, filters: Filters, with_previous: bool) -> tuple[Period, Period | None]:
    """Bring the counters up to date, then read the period (and the one before). Blocking."""
    refresh(engine)
    with engine.connect() as connection:
        current = read_period(connection, filters)
        return current, read_period(connection, previous_filters(filters)) if with_previous else None


async def _read(request: web.Request, filters: Filters, with_previous: bool = False) -> tuple[Period, Period | None]:
    return await asyncio.to_thread(_periods, request.app[ENGINE], filters, with_previous)


def _scope(filters: Filters) -> str:
    service = _services().get(filters.service or "", "All services")
    entry = ENTRY_NAMES.get(filters.entry_channel or "", "all entry channels")
    return f"{period_text(filters)}. {service}; {entry[0].lower() + entry[1:]}."


def _form(request: web.Request, filters: Filters | None, error: str | None = None) -> dict[str, Any]:
    """What the filter form shows: the filters in force, or what was typed when they were wrong."""
    values = filters.as_query() if filters else {name: request.query.get(name, "") for name in FILTER_FIELDS}
    return {
        "fields": values, "services": _services(), "entries": ENTRY_NAMES, "error": error,
        "error_field": _error_field(error), "query": urlencode(filters.as_query()) if filters else "",
    }  # fmt: skip


def _error_field(message: str | None) -> str | None:
    """The form field a filter error is about, so the error summary can link to it."""
    if message is None:
        return None
    for words, field in (("start date", "start"), ("end date", "end"), ("service", "service"), ("entry", "entry")):
        if words in message:
            return field
    return "start"  # a date range that is the wrong way round or too long


@manager_page
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    """Headline figures, charts and tables for the filters chosen."""
    try:
        filters = filters_of(request)
    except FilterError as error:
        return render(request, "dashboard/index.html", status=400, session=signed_in(request),
                      form=_form(request, None, str(error)), dashboard=None)  # fmt: skip
    period, _ = await _read(request, filters)
    thresholds = request.app[THRESHOLDS]
    dashboard = build_dashboard(period, thresholds)
    response = render(
        request, "dashboard/index.html", session=signed_in(request), form=_form(request, filters),
        dashboard=dashboard, scope=_scope(filters), charts=_charts(dashboard, thresholds),
        definitions={table.key: definitions(table.metrics) for table in dashboard.tables},
        headline_definitions=definitions(headline.metric for headline in dashboard.headlines),
        not_shown=NOT_SHOWN,
    )  # fmt: skip
    response.headers.update(PRIVATE)
    return response


def _charts(dashboard: Dashboard, thresholds: Thresholds) -> dict[str, Any]:
    return {table.key: chart_for(table, thresholds.parity_ratio) for table in dashboard.tables}


@manager_page
async def export_table(request: web.Request) -> web.StreamResponse:
    """One dashboard table as a CSV file, for the same filters."""
    key = request.match_info["key"]
    if key not in TABLE_KEYS:
        return problem(request, 404, "There is no table with that name. Go back to the dashboard and choose one.")
    try:
        filters = filters_of(request)
    except FilterError as error:
        return problem(request, 400, str(error))
    period, _ = await _read(request, filters)
    dashboard = build_dashboard(period, request.app[THRESHOLDS])
    text = io.StringIO()
    csv.writer(text).writerows(csv_rows(dashboard.table(key)))
    name = f"{key}-{filters.start.isoformat()}-to-{filters.end.isoformat()}.csv"
    return web.Response(
        text=text.getvalue(), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE},
    )  # fmt: skip


async def _report(request: web.Request) -> tuple[Filters | None, Report | None, str | None]:
    try:
        filters = filters_of(request)
    except FilterError as error:
        return None, None, str(error)
    current, previous = await _read(request, filters, with_previous=True)
    assert previous is not None
    return filters, build_report(current, previous, request.app[THRESHOLDS]), None


def _report_context(filters: Filters, report: Report) -> dict[str, Any]:
    return {
        "report": report, "scope": _scope(filters), "previous_scope": period_text(report.previous),
        "period": period_text(filters), "not_shown": NOT_SHOWN, "metrics": BY_KEY,
    }  # fmt: skip


@manager_page
async def report_page(request: web.Request) -> web.StreamResponse:
    """The ESIA monitoring report, one section per ESIA row; prints cleanly."""
    filters, report, error = await _report(request)
    if filters is None or report is None:
        return render(request, "dashboard/report.html", status=400, session=signed_in(request),
                      form=_form(request, None, error), report=None)  # fmt: skip
    response = render(
        request, "dashboard/report.html", session=signed_in(request), form=_form(request, filters),
        **_report_context(filters, report),
    )  # fmt: skip
    response.headers.update(PRIVATE)
    return response


@manager_page
async def report_download(request: web.Request) -> web.StreamResponse:
    """The same report as one HTML file with its styles inside, to keep or send on."""
    filters, report, error = await _report(request)
    if filters is None or report is None:
        return problem(request, 400, error)
    styles = Markup("\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("report.css", "dashboard.css")))
    response = render(request, "dashboard/report_download.html", styles=styles, **_report_context(filters, report))
    name = f"esia-monitoring-report-{filters.start.isoformat()}-to-{filters.end.isoformat()}.html"
    response.headers.update({"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE})
    return response


def add_dashboard_routes(app: web.Application, thresholds: Thresholds) -> None:
    """Register the dashboard's pages, flagging figures by ``thresholds``."""
    app[THRESHOLDS] = thresholds
    app.router.add_get("/dashboard", dashboard_page)
    app.router.add_get("/dashboard/export/{key:[^/]+}.csv", export_table)
    app.router.add_get("/dashboard/report", report_page)
    app.router.add_get("/dashboard/report.html", report_download)
