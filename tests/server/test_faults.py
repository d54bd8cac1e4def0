"""Parts of the assistant fail mid-conversation, as a resident on the chat page sees it.

Each fault test starts its own assistant (``python -m bot run``: supervisord runs Rasa, the action
server and the web app), holds a conversation through the web app's chat page, and then:

* kills one part (SIGKILL, as a crash would): within 3 s the resident's page shows the safe answer
  (the council's phone number, from the catalogue, and 999); supervisord starts the part again, and
  the resident's next message gets a normal answer in the same conversation;
* or makes the database unavailable (its file replaced by something SQLite cannot open), then
  puts it back.

Afterwards every outcome event of the conversation is in the database exactly once (none lost in
the outbox files, none written twice), and the report the resident made is stored once.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select, update

from bot.launcher import supervisor_rpc, web_is_healthy
from bot.web.live_chat import SWEEP_SECONDS
from monitoring.events import keyed_hash
from monitoring.schema import outcome_events
from routing.catalogue import default_catalogue
from routing.contact_answers import main_phone
from routing.hours import load_schedule
from routing.live_chat import QUEUE_TIMEOUT
from storage.engine import open_engine
from storage.handoffs import HandoffStore, handoff_cases
from storage.reports import service_requests
from storage.staff import StaffAccounts, StaffSessions
from tests.conftest import ALWAYS_OPEN, Assistant, start_assistant, stop_assistant_process
from tests.databases import ADVISER
from tests.http import request_json, say
from tests.server.test_live_chat import chat_page_says, join_the_queue, updates

pytestmark = pytest.mark.server

SAFE_SECONDS = 3.0
BACK_SECONDS = 180  # Rasa loads its model again after a restart
METRICS_KEY = "cd" * 32
PHONE = main_phone(default_catalogue())
DANGER = "If you are in danger, call 999"


class Resident:
    """A browser on the chat page: it keeps the chat cookie and asks for JSON, as the page's script does."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.jar = CookieJar()
        self.browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def says(self, message: str, script: bool = True) -> tuple[int, Any, float]:
        """Send ``message``; the status, the answer (JSON for the script, the page's HTML without), and
        how long it took."""
        headers = {"Accept": "application/json"} if script else {}
        sent = urllib.request.Request(
            f"{self.web_url}/", data=urllib.parse.urlencode({"message": message}).encode(), headers=headers
        )
        started = time.monotonic()
        try:
            with self.browser.open(sent, timeout=30) as answer:
                status, body = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        return status, json.loads(body) if script else body, time.monotonic() - started

    def page(self) -> str:
        with self.browser.open(f"{self.web_url}/", timeout=30) as answer:
            return str(answer.read().decode())

    @property
    def chat_id(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "chat_id") or ""


def text_of(answer: Any) -> str:
    return "\n".join(line["text"] for line in answer["lines"])


def is_safe(text: str) -> bool:
    return PHONE in text and DANGER in text


@pytest.fixture
def assistant_to_break(tmp_path: Path) -> Iterator[Assistant]:
    running = start_assistant(tmp_path / "var", {"COUNCIL_METRICS_KEY": METRICS_KEY})
    yield running
    stop_assistant_process(running.process)


def wait_until_healthy(assistant: Assistant) -> None:
    deadline = time.monotonic() + BACK_SECONDS
    while not web_is_healthy(assistant.web_url):
        assert time.monotonic() < deadline, "the part was not started again"
        time.sleep(0.5)


def kill(assistant: Assistant, part: str) -> None:
    """Kill one server as a crash would, and wait until it has gone."""
    pid = int(supervisor_rpc(assistant.var_dir).supervisor.getProcessInfo(part)["pid"])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def start_of_a_report(resident: Resident) -> None:
    status, answer, _ = resident.says("my bin wasn't collected")
    assert status == 200 and "where" in text_of(answer).lower(), answer


def finish_the_report(resident: Resident) -> str:
    """The rest of the report, after the fault: the conversation carries on where it was."""
    replies = []
    for message in ("outside 12 Portswood Road", "two black bags were left", "yes"):
        status, answer, _ = resident.says(message)
        assert status == 200 and not answer.get("outage"), answer
        replies.append(text_of(answer))
    assert "SCC-" in replies[-1], replies
    return replies[-1]


def events_are_whole(assistant: Assistant, resident: Resident) -> None:
    """Every event reached the database once: the outboxes empty, one start, one report, both stored.

    The servers write outcome events in the background (a turn never waits for them), so the
    events may land a moment after the last answer: they are waited for, then counted."""
    deadline = time.monotonic() + 60
    while any(path.stat().st_size for path in assistant.var_dir.glob("outbox-*.jsonl")):
        assert time.monotonic() < deadline, "events were left in the outbox"
        time.sleep(0.5)
    assert not list(assistant.var_dir.glob("*.torn"))
    resident_key = keyed_hash(bytes.fromhex(METRICS_KEY), f"resident:{resident.chat_id}")
    while True:
        engine = open_engine(assistant.database_url)
        with engine.connect() as connection:
            kinds = Counter(
                connection.execute(
                    select(outcome_events.c.kind).where(outcome_events.c.resident_key == resident_key)
                ).scalars()
            )
            stored_reports = connection.execute(select(func.count()).select_from(service_requests)).scalar_one()
            ids = list(connection.execute(select(outcome_events.c.event_id)).scalars())
        engine.dispose()
        if (kinds["conversation_started"] and kinds["report_created"]) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(ids) == len(set(ids))
    assert kinds["conversation_started"] == 1, kinds
    assert kinds["report_created"] == 1 == stored_reports, kinds


@pytest.mark.parametrize("part", ["actions", "rasa", "web"])
def test_a_part_that_dies_mid_conversation_gives_the_safe_answer_then_comes_back(
    assistant_to_break: Assistant, part: str
) -> None:
    resident = Resident(assistant_to_break.web_url)
    start_of_a_report(resident)
    page = resident.page()
    assert is_safe(page)  # the page carries the safe answer for its script, should the web app go away

    kill(assistant_to_break, part)
    if part == "web":
        # Nothing answers: the page the resident has shows the safe answer itself (bot/web/static/chat.js).
        started = time.monotonic()
        with pytest.raises(urllib.error.URLError):
            resident.says("outside 12 Portswood Road")
        assert time.monotonic() - started < SAFE_SECONDS
    else:
        for script in (True, False):
            status, answer, seconds = resident.says("outside 12 Portswood Road", script=script)
            assert status == 503 and seconds < SAFE_SECONDS, (status, answer, seconds)
            assert is_safe(text_of(answer) if script else answer), answer

    wait_until_healthy(assistant_to_break)
    finish_the_report(resident)
    events_are_whole(assistant_to_break, resident)


def test_the_database_going_away_mid_conversation_gives_the_safe_answer_and_loses_nothing(
    assistant_to_break: Assistant,
) -> None:
    resident = Resident(assistant_to_break.web_url)
    start_of_a_report(resident)
    database = assistant_to_break.var_dir / "council.db"
    away = database.with_name("away.db")
    database.rename(away)
    # A background task may open (and so create) the file again between the two steps.
    database.unlink(missing_ok=True)
    database.mkdir()  # SQLite cannot open a folder: every query fails, as with a database that is down
    try:
        for script in (True, False):
            status, answer, seconds = resident.says("outside 12 Portswood Road", script=script)
            assert status == 503 and seconds < SAFE_SECONDS, (status, answer, seconds)
            assert is_safe(text_of(answer) if script else answer), answer
    finally:
        database.rmdir()
        away.rename(database)
    finish_the_report(resident)
    events_are_whole(assistant_to_break, resident)


def test_a_page_view_with_a_new_cookie_is_not_a_conversation(assistant: Assistant) -> None:
    def started() -> int:
        engine = open_engine(assistant.database_url)
        with engine.connect() as connection:
            kind = outcome_events.c.kind == "conversation_started"
            count = int(connection.execute(select(func.count()).where(kind)).scalar_one())
        engine.dispose()
        return count

    def events_settle() -> None:
        time.sleep(3)  # the action server writes its events in the background

    before = started()
    for _ in range(3):
        visitor = Resident(assistant.web_url)
        visitor.browser.addheaders = [("Cookie", f"chat_id={secrets.token_hex(16)}")]
        assert "Ask the council" in visitor.page()
    events_settle()
    assert started() == before
    status, _, _ = Resident(assistant.web_url).says("hello")  # the first message starts one
    assert status == 200
    events_settle()
    assert started() == before + 1


def test_a_command_typed_while_an_adviser_holds_the_chat_goes_to_the_adviser(assistant: Assistant) -> None:
    sender = "restart" + secrets.token_hex(8)
    reference = join_the_queue(assistant, sender)
    engine = open_engine(assistant.database_url)
    token = StaffSessions(engine, StaffAccounts(engine)).new_api_token(ADVISER[0])
    engine.dispose()
    claimed = request_json(
        f"{assistant.web_url}/api/v1/cases/{reference}/claim", method="POST", raw=b"",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert claimed[0] == 200, claimed
    for command in ("/restart", "/greet", " /session_start"):
        assert chat_page_says(assistant, sender, command)["lines"] == []  # no bot answer
    assert say(assistant.rasa_url, sender, "hello?") == []  # the bot is still paused
    state = updates(assistant, sender)
    assert state["status"]["state"] == "with_adviser", state
    assert [m["text"] for m in state["messages"] if m["sender"] == "resident"][-3:] == [
        "/restart",
        "/greet",
        "/session_start",
    ]


def test_an_abandoned_chat_leaves_the_queue_though_no_page_asks(assistant: Assistant) -> None:
    sender = "abandon" + secrets.token_hex(8)
    reference = join_the_queue(assistant, sender)
    engine = open_engine(assistant.database_url)
    store = HandoffStore(engine, load_schedule(ALWAYS_OPEN))
    long_ago = store.get(reference).created_at - QUEUE_TIMEOUT - timedelta(minutes=1)
    with engine.begin() as connection:  # the resident closed the tab long ago: nothing polls
        connection.execute(
            update(handoff_cases).where(handoff_cases.c.reference == reference).values(updated_at=long_ago)
        )
    deadline = time.monotonic() + SWEEP_SECONDS + 15
    while store.get(reference).status == "queued":
        assert time.monotonic() < deadline, "the abandoned chat was still in the queue"
        time.sleep(1)
    engine.dispose()
