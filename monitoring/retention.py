"""Forgetting residents' pseudonyms in the monitoring tables once they are no longer needed.

A resident's key (a keyed hash of their chat id) ties their conversations together, which the
repeat-contact figure needs for 7 days. After the retention period each old conversation's
resident key is replaced by its own conversation key, so nothing ties it to any other. The daily
counters (the figures the dashboard shows) identify no one and stay as they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine

from monitoring.schema import conversation_facts, outcome_events


def forget_resident_keys(engine: Engine, before: datetime) -> int:
    """Unlink conversations that started before ``before`` from their resident; how many were."""
    facts, events = conversation_facts.c, outcome_events.c
    with engine.begin() as connection:
        unlinked = connection.execute(
            update(conversation_facts)
            .where(facts.started_at < before, facts.resident_key != facts.conversation_key)
            .values(resident_key=facts.conversation_key)
        ).rowcount
        # Only events already taken into the facts: one still waiting keeps its key until then.
        connection.execute(
            update(outcome_events)
            .where(
                events.at < before,
                events.taken_in.is_(True),
                events.resident_key != func.coalesce(events.conversation_key, ""),
            )
            .values(resident_key=func.coalesce(events.conversation_key, ""))
        )
    return int(unlinked)
