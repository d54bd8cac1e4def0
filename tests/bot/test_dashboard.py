"""The managers' dashboard and the ESIA monitoring report through real HTTP, on a real database.

Who may see them, filters that change the figures, bad filters answered politely, CSV downloads,
the report's sections and flags, and, above all, no count from 1 to 9 anywhere in a page or a file.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.web.app import create_app
from monitoring.metric_definitions import ESIA_SECTIONS
from monitoring.schema import conversation_facts, daily_measures, monitoring_state, outcome_events
from storage.schema import MONITORING, migrate
from tests.bot.test_staff_inbox import sign_in
from tests.conftest import free_port
from tests.databases import ADVISER, MANAGER, add_test_staff
from tests.monitoring.conversations import january
from wiring.settings import Settings

JANUARY = "start=2026-01-05&end=2026-02-01"  # whole weeks, Monday to Sunday
TABLES = ("trend", "outcomes", "funnel", "needs", "parity", "contact_time", "availability", "digital_inclusion",
          "satisfaction", "repeat_contact", "safeguarding", "reports", "updates_chosen", "updates_sent", "reminders",
          "status_asked")  # fmt: skip
SMALL_COUNT = re.compile(r"<t[dh][^>]*>\s*([1-9])\s*</t[dh]>")


@pytest.fixture
async def app(engine: Any, tmp_path: Path) -> AsyncIterator[tuple[TestClient, Any]]:
    migrate(engine, MONITORING)
    with engine.begin() as connection:
        for table in (outcome_events, conversation_facts, daily_measures, monitoring_state):
            connection.execute(delete(table))
    add_test_staff(engine)
    settings = Settings(
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), host="127.0.0.1",
        var_dir=tmp_path, database_url=make_url(engine.url).render_as_string(hide_password=False),
        tracker_db=tmp_path / "tracker.db", model_path=tmp_path / "model.tar.gz",
    )  # fmt: skip
    async with TestClient(TestServer(create_app(settings))) as client:
        yield client, engine


def headline(page: str, title: str) -> str:
    found = re.search(rf"{title}</span>\s*<span class=\"dashboard-headline__value\">([^<]+)</span>", page)
    assert found, f"no headline {title!r}"
    return found.group(1)


def small_counts(page: str) -> list[str]:
    return SMALL_COUNT.findall(page)


async def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(app):
    client, _ = app
    for path in ("/dashboard", f"/dashboard/report?{JANUARY}", "/dashboard/report.html", "/dashboard/export/needs.csv"):
        answer = await client.get(path, allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    page = await client.get("/staff/sign-in?next=%2Fdashboard%3Fservice%3Dcouncil_tax")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)  # type: ignore[union-attr]
    answer = await client.post(
        "/staff/sign-in", data={"csrf_token": token, "username": MANAGER[0], "password": MANAGER[1],
                                "next": "/dashboard?service=council_tax"}, allow_redirects=False,
    )  # fmt: skip
    assert answer.headers["Location"] == "/dashboard?service=council_tax"


async def test_staff_who_are_not_managers_get_a_polite_page(app):
    client, engine = app
    january(engine)
    await sign_in(client, ADVISER)
    for path in ("/dashboard", "/dashboard/report", "/dashboard/report.html", "/dashboard/export/needs.csv"):
        answer = await client.get(f"{path}?{JANUARY}")
        page = await answer.text()
        assert answer.status == 403, path
        assert "You cannot see this page" in page and "This page is for managers." in page
        assert "govuk-header" in page and "[c]" not in page and "Conversations" not in page


async def test_a_manager_sees_headlines_charts_tables_and_definitions(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    answer = await client.get(f"/dashboard?{JANUARY}")
    page = await answer.text()
    assert answer.status == 200 and answer.headers["Cache-Control"] == "private, no-store"
    assert headline(page, "Conversations") == "185"  # 184, rounded to 5
    assert page.count('role="img"') >= 4 and page.count('<title id="chart-') == page.count('role="img"')
    for key in ("trend", "outcomes", "funnel", "parity"):
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in page
    assert page.count("<caption") == len(TABLES)
    assert 'scope="col"' in page and 'scope="row"' in page
    for key in TABLES:
        assert f'href="/dashboard/export/{key}.csv?start=2026-01-05&amp;end=2026-02-01"' in page
    assert "Download this table (CSV)" in page
    assert "Outcome parity: residents with an older age need" in page  # a definition, with its ESIA row
    assert "Counted as: <code>resolved_older_age / eligible_older_age</code>" in page
    assert "Evidence for the ESIA row: Age, Mitigation: accessibility built into improvement plans" in page
    assert "means a figure is hidden to protect residents' privacy" in page


async def test_filters_change_the_figures(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    everything = await (await client.get(f"/dashboard?{JANUARY}")).text()
    council_tax = await (await client.get(f"/dashboard?{JANUARY}&service=council_tax")).text()
    embedded = await (await client.get(f"/dashboard?{JANUARY}&entry=embed")).text()
    february = await (await client.get("/dashboard?start=2026-02-02&end=2026-03-01")).text()
    # Days inside weeks are widened to the whole weeks: the same figures as the four weeks.
    midweek = await (await client.get("/dashboard?start=2026-01-07&end=2026-01-29")).text()
    assert headline(midweek, "Conversations") == "185"
    assert "5 January 2026 to 1 February 2026" in midweek and 'value="2026-01-05"' in midweek
    assert headline(everything, "Conversations") == "185"
    assert headline(council_tax, "Conversations") == "155"  # 100 + 3 + 50 older residents' reports
    assert headline(embedded, "Conversations") == "20"
    assert headline(february, "Conversations") == "0"
    assert 'value="council_tax" selected' in council_tax
    assert "Council tax; all entry channels." in council_tax


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("start=2026-13-01", "Enter the start date as a date, for example", "start"),
        ("end=yesterday", "Enter the end date as a date, for example", "end"),
        ("start=2026-02-01&end=2026-01-01", "The start date must be on or before the end date.", "start"),
        ("start=2020-01-01&end=2026-01-01", "Choose a date range of 3 years or less.", "start"),
        ("service=%3Cscript%3E", "Choose a service from the list.", "service"),
        ("entry=fax", "Choose an entry channel from the list.", "entry"),
        ("end=0001-01-05", "Enter an end date between 2000 and 2099.", "end"),
    ],
)
async def test_bad_filters_get_a_govuk_error_summary_not_a_stack_trace(app, query, message, field):
    client, _ = app
    await sign_in(client, MANAGER)
    for path in ("/dashboard", "/dashboard/report"):
        answer = await client.get(f"{path}?{query}")
        page = await answer.text()
        assert answer.status == 400
        assert "govuk-error-summary" in page and "There is a problem" in page
        assert f'<a href="#{field}">' in page and message in html.unescape(page)
        assert f'id="{field}-error"' in page and "<title>Error: " in page
        assert "Traceback" not in page and "<script>" not in page
    answer = await client.get(f"/dashboard/export/needs.csv?{query}")
    assert answer.status == 400 and message in html.unescape(await answer.text())


async def test_every_table_downloads_as_csv_with_the_same_filters(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    for key in TABLES:
        answer = await client.get(f"/dashboard/export/{key}.csv?{JANUARY}&entry=web")
        assert answer.status == 200, key
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="{key}-2026-01-05-to-2026-02-01.csv"'
        rows = list(csv.reader(io.StringIO(await answer.text())))
        assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)
    outcomes = list(
        csv.reader(io.StringIO(await (await client.get(f"/dashboard/export/outcomes.csv?{JANUARY}")).text()))
    )
    assert outcomes[0] == ["Outcome", "Conversations", "Share"]
    assert ["All conversations", "185", "100%"] in outcomes


async def test_an_unknown_table_is_a_404_page(app):
    client, _ = app
    await sign_in(client, MANAGER)
    for key in ("nope", "Outcomes", "..%2Fsecrets"):
        answer = await client.get(f"/dashboard/export/{key}.csv")
        assert answer.status == 404
        page = await answer.text()
        assert "Page not found" in page and "There is no table with that name." in page


async def test_no_count_from_1_to_9_in_any_page_or_csv(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    dashboard = await (await client.get(f"/dashboard?{JANUARY}")).text()
    report = await (await client.get(f"/dashboard/report?{JANUARY}")).text()
    download = await (await client.get(f"/dashboard/report.html?{JANUARY}")).text()
    for page in (dashboard, report, download):
        assert "[c]" in page
        assert small_counts(page) == []
    values = re.findall(r'dashboard-headline__value">([^<]+)<', dashboard)
    assert "[c]" in values  # the 4 safeguarding escalations
    assert not [value for value in values if re.fullmatch(r"[1-9]", value.strip())]
    # The rare need is hidden in the needs table, and so is the smallest other need beside it.
    needs = re.search(r'id="needs".*?</table>', dashboard, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r"Language literacy</th>\s*<td[^>]*>\[c\]</td>", needs)
    for key in TABLES:
        text = await (await client.get(f"/dashboard/export/{key}.csv?{JANUARY}")).text()
        cells = [cell.lstrip("'").strip() for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [cell for cell in cells if re.fullmatch(r"[1-9]", cell)], key
    needs_csv = await (await client.get(f"/dashboard/export/needs.csv?{JANUARY}")).text()
    assert "Language literacy,[c],[c]" in needs_csv


async def test_the_report_has_one_section_per_esia_row_and_flags_the_lower_resolution_rate(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    answer = await client.get(f"/dashboard/report?{JANUARY}")
    page = await answer.text()
    assert answer.status == 200
    sections = re.findall(r'<section class="report-section" id="section-([a-z_]+)"', page)
    assert sections == [section.key for section in ESIA_SECTIONS]
    for section in ESIA_SECTIONS:
        assert html.escape(section.esia_says) in page
    assert "Fewer older residents got what they came for." in page
    assert "20% of their finished conversations were resolved" in page  # 12 of 50: 10 of 50 once rounded
    assert "5 January 2026 to 1 February 2026" in page and "8 December 2025 to 4 January 2026" in page
    assert page.count("<caption") == page.count('class="govuk-table report-table"') > len(ESIA_SECTIONS)
    assert 'href="/dashboard/report.html?start=2026-01-05&amp;end=2026-02-01"' in page
    assert '<link rel="stylesheet" href="/static/dashboard.css">' in page  # which has the print rules
    styles = await (await client.get("/static/dashboard.css")).text()
    assert "@media print" in styles and ".dashboard-filters" in styles


async def test_the_report_downloads_as_one_html_file_with_its_styles_inside(app):
    client, engine = app
    january(engine)
    await sign_in(client, MANAGER)
    answer = await client.get(f"/dashboard/report.html?{JANUARY}")
    page = await answer.text()
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    disposition = answer.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="esia-monitoring-report-2026-01-05-to-2026-02-01.html"'
    assert "<style>" in page and "@media print" in page and "<link" not in page and "<script" not in page
    assert "Fewer older residents got what they came for." in page
    assert re.findall(r'id="section-([a-z_]+)"', page) == [section.key for section in ESIA_SECTIONS]
    assert "Sign out" not in page and "csrf_token" not in page


async def test_a_database_that_does_not_answer_gets_a_polite_page(app, monkeypatch):
    client, _ = app
    await sign_in(client, MANAGER)

    def away(engine: Any) -> int:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("bot.web.dashboard.refresh", away)
    for path in ("/dashboard", "/dashboard/report", "/dashboard/report.html", "/dashboard/export/needs.csv"):
        answer = await client.get(path)
        page = await answer.text()
        assert answer.status == 503 and "Sorry, the figures are not available" in page
        assert "Traceback" not in page and "connection refused" not in page
