"""The monitoring database stops in the middle of a conversation, at the level a resident sees it.

The whole assistant runs with its outcome events in a PostgreSQL database of their own
(``COUNCIL_MONITORING_DATABASE_URL``), reached through a TCP proxy the test can stop. The resident
carries on while it is stopped and must get exactly the replies they would get normally, as
quickly; the events wait in the outbox. When the proxy starts again the recorder's background
flusher writes them without waiting for another event, and every event of the conversation is
stored exactly once, in order.
"""

from __future__ import annotations

import re
import time
from typing import Iterator

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine, make_url

from monitoring.events import keyed_hash
from monitoring.schema import outcome_events
from tests.conftest import Assistant, start_assistant, stop_assistant_process
from tests.databases import postgres_database
from tests.http import request_json, say, session_of, texts
from tests.monitoring.test_recorder import Proxy

pytestmark = [pytest.mark.server, pytest.mark.postgres]

QUICK_SECONDS = 3.0  # a turn normally takes well under a second
RETRY_SECONDS = "0.5"  # instead of 30 s, so the test need not wait
SENDER = "outage-resident"
BEFORE = ["i want to pay my council tax"]
DURING = [
    "my bin wasn't collected",
    "outside 12 Portswood Road",
    "two black bags were left",
    "yes",
    "no thanks",
    "thanks",
]
AFTER_OUTAGE = ['/inform{"satisfaction":"yes"}', "bye"]
EXPECTED = [
    ("conversation_started", "rest", None),
    ("intent", None, "council_tax"),
    ("payment_signposted", None, "council_tax"),
    # the database is away from here...
    ("intent", None, "missed_bin"),
    ("report_created", None, "missed_bin"),
    ("updates_chosen", None, None),  # "no thanks" to "How would you like to hear back?"
    # ...and back from here
    ("satisfaction", None, None),
    ("conversation_ended", None, None),
]


@pytest.fixture
def monitoring_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the monitoring, dropped afterwards."""
    yield from postgres_database()


@pytest.fixture
def proxied(monitoring_database: str) -> Iterator[tuple[Proxy, str]]:
    """A proxy in front of PostgreSQL, and the monitoring database's URL through it."""
    url = make_url(monitoring_database)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.start()
    proxy.listener.close()


@pytest.fixture
def assistant_with_its_own_monitoring(
    proxied: tuple[Proxy, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    _, url = proxied
    environment = {
        "COUNCIL_MONITORING_DATABASE_URL": url,
        "COUNCIL_MONITORING_RETRY_SECONDS": RETRY_SECONDS,
        "COUNCIL_METRICS_KEY": "ab" * 32,
    }
    running = start_assistant(tmp_path_factory.mktemp("outage-var"), environment)
    yield running
    stop_assistant_process(running.process)


def timed_replies(assistant: Assistant, sender: str, messages: list[str]) -> list[tuple[str, float]]:
    """Each message's replies (references made alike) and how long the turn took."""
    answers = []
    for message in messages:
        began = time.monotonic()
        replies = texts(say(assistant.rasa_url, sender, message))
        answers.append((re.sub(r"SCC-[A-Z0-9]{6}", "SCC-XXXXXX", replies), time.monotonic() - began))
    return answers


def events(engine: Engine, conversation: str) -> list[tuple[str, str | None, str | None, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(outcome_events.c.kind, outcome_events.c.entry_channel, outcome_events.c.service)
            .add_columns(outcome_events.c.event_id)
            .where(outcome_events.c.conversation_key == conversation)
            .order_by(outcome_events.c.at, outcome_events.c.id)  # two processes record them
        ).all()
    return [(row.kind, row.entry_channel, row.service, row.event_id) for row in rows]


def wait_for(engine: Engine, conversation: str, count: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while len(events(engine, conversation)) < count and time.monotonic() < deadline:
        time.sleep(0.25)


def test_the_monitoring_database_stopping_mid_conversation_changes_nothing_for_the_resident(
    assistant: Assistant,
    assistant_with_its_own_monitoring: Assistant,
    proxied: tuple[Proxy, str],
    monitoring_database: str,
) -> None:
    proxy, _ = proxied
    ours = assistant_with_its_own_monitoring
    # What the resident reads normally: the same conversation on the assistant whose database is up.
    normal = timed_replies(assistant, f"{SENDER}-normal", BEFORE + DURING + AFTER_OUTAGE)

    said = timed_replies(ours, SENDER, BEFORE)
    proxy.stop()  # the database goes away mid-conversation
    said += timed_replies(ours, SENDER, DURING)
    outbox = ours.var_dir / "outbox-actions.jsonl"
    waited = time.monotonic() + 5  # events are written in the background: give the writer a moment
    while not outbox.exists() and time.monotonic() < waited:
        time.sleep(0.1)
    assert outbox.exists()  # the events wait in the outbox
    proxy.start()  # and comes back
    status, tracker = request_json(ours.rasa_api(f"/conversations/{SENDER}/tracker"))
    key = bytes.fromhex("ab" * 32)
    conversation = keyed_hash(key, f"conversation:{SENDER}:{session_of(tracker)}")
    direct = create_engine(monitoring_database, future=True)
    try:
        # No further event is needed: the background flusher empties the outbox by itself.
        wait_for(direct, conversation, 6)
        assert [kind for kind, *_ in events(direct, conversation)] == [kind for kind, *_ in EXPECTED[:6]]
        assert not (ours.var_dir / "outbox-actions.jsonl").exists()
        said += timed_replies(ours, SENDER, AFTER_OUTAGE)

        assert [text for text, _ in said] == [text for text, _ in normal]  # every reply as it would be
        turns = zip(BEFORE + DURING + AFTER_OUTAGE, said, strict=True)
        slow = [(message, round(seconds, 2)) for message, (_, seconds) in turns if seconds >= QUICK_SECONDS]
        assert not slow  # and as quickly
        wait_for(direct, conversation, len(EXPECTED))
        stored = events(direct, conversation)
        assert [row[:3] for row in stored] == EXPECTED  # every event, in order
        with direct.connect() as connection:
            copies = select(outcome_events.c.event_id, func.count()).group_by(outcome_events.c.event_id)
            assert all(count == 1 for _, count in connection.execute(copies))  # each exactly once
            everything = connection.execute(select(func.count()).select_from(outcome_events)).scalar_one()
        assert everything == len(EXPECTED)  # and nothing else (no stray conversation)
    finally:
        direct.dispose()
