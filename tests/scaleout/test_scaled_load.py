"""Many residents through the scale-out's balancer at once: every turn answered, and every outcome
event stored once, whichever Rasa, action server and web process handled it (the conversations'
own events through RabbitMQ and the monitoring consumer).

``make test`` runs 20 residents x 5 turns; ``make load-scaled`` runs 50 x 10 (``SCALED_LOAD_RESIDENTS``,
``SCALED_LOAD_TURNS``), while an adviser works
the inbox and a manager loads the dashboard (``evaluation/load.py``). Each resident takes about 10
seconds (``SCALED_LOAD_PAUSE``) to read an answer and type the next message, as people do: the run
asks what a two-core machine's two Rasa servers can answer within the web app's 10 seconds, not
50 messages at every instant.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from evaluation.load import run
from evaluation.staff_access import prepare
from monitoring.events import EventKind
from monitoring.schema import outcome_events
from storage.engine import open_engine
from tests.conftest import run_apart
from tests.scaleout.conftest import ScaledAssistant, drained

pytestmark = [pytest.mark.server, pytest.mark.postgres]

RESIDENTS = int(os.environ.get("SCALED_LOAD_RESIDENTS", "20"))
TURNS = int(os.environ.get("SCALED_LOAD_TURNS", "5"))
PAUSE = float(os.environ.get("SCALED_LOAD_PAUSE", "10"))


def test_fifty_residents_through_the_balancer_get_no_errors_and_each_outcome_is_stored_once(
    scaled: ScaledAssistant,
) -> None:
    access = prepare(scaled.database_url, "scaled")
    figures = run_apart(run(scaled.assistant.web_url, access, RESIDENTS, TURNS, PAUSE))
    print("\n" + figures.report())
    # The outcome events travel through RabbitMQ to the monitoring consumer: let it catch up.
    assert drained(scaled.rabbitmq_queue, 120), "the monitoring consumer did not empty its queue"
    engine = open_engine(scaled.database_url)
    try:
        with engine.connect() as connection:
            twice = connection.execute(
                select(outcome_events.c.event_id).group_by(outcome_events.c.event_id).having(func.count() > 1)
            ).all()
            started = connection.execute(
                select(outcome_events.c.conversation_key, func.count())
                .where(outcome_events.c.kind == EventKind.CONVERSATION_STARTED.value)
                .group_by(outcome_events.c.conversation_key)
            ).all()
    finally:
        engine.dispose()
    assert twice == []
    # Each resident's conversation started once, though its turns went to different servers.
    assert len(started) >= RESIDENTS, started
    assert [key for key, count in started if count != 1] == []
    waiting = [path for path in scaled.assistant.var_dir.glob("outbox-*.jsonl") if path.stat().st_size]
    assert waiting == [], "outcome events were left in an outbox while the database was up"
    # Every turn answered within the web app's 10 seconds (else the resident got the safe answer).
    assert len(figures.turn_seconds) == RESIDENTS * TURNS, figures.report()
    assert not figures.errors, figures.report()
