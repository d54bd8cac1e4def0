"""The managers' dashboard and the ESIA monitoring report in a real browser: axe-core with the WCAG
2.2 A and AA rules, the filters by keyboard only, and reflow at 320 CSS pixels.

Only the web app is started (``python -m bot.web``), on a database filled with a month of
conversations: the dashboard does not need Rasa.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from storage.schema import open_database
from tests.browser.conftest import axe_violations
from tests.conftest import ROOT, free_port
from tests.databases import MANAGER, add_test_staff
from tests.monitoring.conversations import january, january_updates

pytestmark = [pytest.mark.browser]
JANUARY = "start=2026-01-01&end=2026-01-31"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web app alone, on a spare port, with a month of conversations in its database."""
    var_dir = tmp_path_factory.mktemp("dashboard-var")
    database_url = f"sqlite:///{var_dir / 'council.db'}"
    engine = open_database(database_url)  # both branches: the staff accounts and the figures
    add_test_staff(engine)
    january(engine)
    january_updates(engine)  # so the automatic-update tables are checked with figures in them
    engine.dispose()
    port = free_port()
    env = dict(os.environ, VAR_DIR=str(var_dir), WEB_PORT=str(port), COUNCIL_DATABASE_URL=database_url)
    env["PYTHONPATH"] = str(ROOT)
    log = (var_dir / "web.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _answers(f"{url}/staff/sign-in"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The web app did not start:\n{Path(var_dir / 'web.log').read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)
    yield url
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sign_in(page: Page, web_url: str, path: str = "/dashboard") -> None:
    page.goto(f"{web_url}/staff/sign-in?next={path}")
    page.fill("#username", MANAGER[0])
    page.fill("#password", MANAGER[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def open_every_details(page: Page) -> None:
    """Open the definitions too, so axe checks what is inside them."""
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")


def test_the_dashboard_has_no_accessibility_violations(page: Page, web_url: str) -> None:
    sign_in(page, web_url)
    page.goto(f"{web_url}/dashboard?{JANUARY}")
    expect(page.get_by_role("heading", name="Monitoring dashboard")).to_be_visible()
    expect(page.get_by_role("img", name="Chart: Outcomes")).to_be_visible()
    open_every_details(page)
    assert axe_violations(page) == []


def test_the_report_and_its_download_have_no_accessibility_violations(page: Page, web_url: str) -> None:
    sign_in(page, web_url)
    page.goto(f"{web_url}/dashboard/report?{JANUARY}")
    expect(page.get_by_text("Fewer older residents got what they came for.").first).to_be_visible()
    assert axe_violations(page) == []
    download = page.request.get(f"{web_url}/dashboard/report.html?{JANUARY}")
    page.set_content(download.text())
    expect(page.get_by_role("heading", name="Age", exact=True)).to_be_visible()
    assert axe_violations(page) == []


def test_a_bad_filter_page_has_no_accessibility_violations(page: Page, web_url: str) -> None:
    sign_in(page, web_url)
    page.goto(f"{web_url}/dashboard?start=2026-02-30")
    expect(page.get_by_role("alert")).to_contain_text("Enter the start date as a date")
    assert axe_violations(page) == []


def test_the_filters_work_by_keyboard_only(page: Page, web_url: str) -> None:
    sign_in(page, web_url)
    page.goto(f"{web_url}/dashboard?{JANUARY}")
    for _ in range(20):  # from the top of the page, Tab until the first filter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "start":
            break
    expect(page.locator("#start")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2026-01-01")
    page.keyboard.press("Tab")
    expect(page.locator("#end")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2026-01-31")
    page.keyboard.press("Tab")
    expect(page.locator("#service")).to_be_focused()
    page.keyboard.type("Council tax")  # a closed select picks the option typed
    expect(page.locator("#service")).to_have_value("council_tax")
    page.keyboard.press("Tab")
    expect(page.locator("#entry")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show figures")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"service=council_tax"))
    expect(page.locator("#scope")).to_contain_text("Council tax")
    expect(page.locator(".dashboard-headline__value").first).to_have_text("155")
    # A wrong date is answered with an error summary whose link takes the keyboard to the field.
    page.locator("#start").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("31/01/2026")
    page.keyboard.press("Enter")
    summary_link = page.get_by_role("link", name=re.compile("Enter the start date as a date"))
    expect(summary_link).to_be_visible()
    summary_link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#start")).to_be_focused()


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/report"])
def test_the_pages_reflow_at_320_pixels_and_200_percent_text(browser: Browser, web_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    sign_in(page, web_url, path)
    page.goto(f"{web_url}{path}?{JANUARY}")
    open_every_details(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling of the page
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # nor with text at 200%
    # Wide tables scroll inside their own box, which the keyboard can reach.
    boxes = page.locator(".dashboard-table-wrap")
    assert boxes.count() > 0 and boxes.first.get_attribute("tabindex") == "0"
    context.close()
