"""The chat page in a real browser when the servers behind it fail: the page's script shows the safe
answer (the council's phone number and 999) within 3 s, whether Rasa has stopped answering or the
web app itself has gone, and keeps what the resident typed so they can send it again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.launcher import free_port, stop_launched
from routing.catalogue import default_catalogue
from routing.contact_answers import main_phone
from tests.conftest import ROOT

pytestmark = [pytest.mark.server, pytest.mark.browser]

SAFE_MS = 3000
PHONE = main_phone(default_catalogue())


@pytest.fixture
def stuck_rasa() -> Iterator[int]:
    """A Rasa that accepts connections and never answers; its port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield int(listener.getsockname()[1])


@pytest.fixture
def web_app(tmp_path: Path, stuck_rasa: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The web app on its own, as a real process, in front of the stuck Rasa."""
    port = free_port()
    env = dict(os.environ, WEB_PORT=str(port), RASA_PORT=str(stuck_rasa), ACTIONS_PORT=str(free_port()))
    env.update(VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    for name in ("COUNCIL_DATABASE_URL", "COUNCIL_MONITORING_DATABASE_URL", "RASA_TRACKER_DB"):
        env.pop(name, None)
    with (tmp_path / "web.log").open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/static/chat.js", timeout=2).close()
            break
        except (urllib.error.URLError, OSError):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "web.log").read_text()
            time.sleep(0.3)
    yield url, process
    stop_launched(process)


def shows_the_safe_answer(page: Page) -> None:
    outage = page.locator(".chat-line--outage").last
    expect(outage).to_contain_text(PHONE, timeout=SAFE_MS)
    expect(outage).to_contain_text("If you are in danger, call 999", timeout=100)
    expect(page.locator("#safety-routes")).to_be_visible(timeout=100)


def test_a_turn_rasa_never_answers_shows_the_safe_answer_within_3_seconds(
    page: Page, web_app: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, _ = web_app
    page.goto(f"{url}/")
    page.fill("#message", "my bin wasn't collected")
    page.keyboard.press("Enter")
    shows_the_safe_answer(page)


def test_with_the_web_app_gone_the_page_still_shows_the_safe_answer(
    page: Page, web_app: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = web_app
    page.goto(f"{url}/")
    stop_launched(process)  # the web app stops after the page was loaded
    page.fill("#message", "is anyone there")
    page.keyboard.press("Enter")
    shows_the_safe_answer(page)
    expect(page.locator("#message")).to_have_value("is anyone there")  # kept, to send again
