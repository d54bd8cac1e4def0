"""A real browser for the page tests: Debian's Chromium, driven by Playwright.

``make test`` installs Chromium (the Debian package) when it is missing. axe-core comes from the
npm registry (``npm ci``) and is injected into each page to check WCAG 2.2 A and AA rules.
"""

from __future__ import annotations

import shutil
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# One browser for the package, closed when its tests end: while Playwright's synchronous API is
# open it keeps an event loop running in the main thread, and the asynchronous tests that come
# after (tests/integrations/, ...) could not run theirs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not shutil.which("chromium"):
        pytest.fail("Chromium is not installed: run the tests with 'make test', which installs it.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page with the WCAG 2.2 A and AA rules; the violations found."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
