"""Bring the conversation facts and the daily counters up to date with the outcome events.

Each event is taken in once: refresh picks the events not yet ``taken_in`` (oldest first),
derives every conversation they touch again from all its events (its own and its cases'), takes
the conversation's old contribution away from the daily counters and adds the new one, and marks
the events taken in, all in one transaction. An event whose transaction commits late is simply
not visible yet and is taken in next time (a watermark on ids would skip it).

Refreshes are serialised by a lock row in ``monitoring_state``: each transaction first updates
it, so a second refresher (in another process or on another host) waits until the first commits,
then sees its work and finds nothing left to do.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from monitoring.events import EventKind, OutcomeEvent
from monitoring.facts import REPEAT_WINDOW, ConversationFacts, facts_of
from monitoring.measures import COUNTERS, contribution
from monitoring.schema import conversation_facts, daily_measures, monitoring_state, outcome_events
from storage.bulk import insert_rows
from storage.engine import from_row

BATCH = 2000
# Written exactly as the partial index's condition, so both databases use the index (neither
# would for "taken_in IS false", and the dashboard asks this on every load).
WAITING = text("NOT outcome_events.taken_in")
LOCK = "refresh_lock"
LOCAL = ZoneInfo("Europe/London")
DayKey = tuple[date, str, str]  # day, service ("" for none), entry channel
_IN_THIS_PROCESS = threading.Lock()
BUSY_RETRIES = 20
# The events in a conversation that carry a case's key (a handoff, a report), so what staff record
# about the case later joins the conversation.
# Choosing updates names the reference too, so updates sent about a change (which has no other
# opener in the conversation) join it.
CASE_OPENERS = frozenset({EventKind.HANDOFF_ACCEPTED, EventKind.REPORT_CREATED, EventKind.UPDATES_CHOSEN})


def local_day(facts: ConversationFacts) -> date:
    """The council's calendar day the conversation started on."""
    return _local_date(facts.started_at)


@lru_cache(maxsize=2**16)
def _local_date(started_at: datetime) -> date:
    # Starts are whole hours, so a seed of millions of conversations asks about a few thousand.
    return started_at.astimezone(LOCAL).date()


def day_key(facts: ConversationFacts) -> DayKey:
    """The daily row a conversation counts in."""
    return (local_day(facts), facts.service or "", facts.entry_channel)


def refresh(engine: Engine, batch: int = BATCH) -> int:
    """Take in every event recorded since the last refresh; how many conversation updates that made."""
    updated = 0
    if not _anything_waiting(engine):
        return 0  # the usual case for a page load: no write, so no lock taken
    with _IN_THIS_PROCESS:
        while True:
            count, more = _with_retries(engine, lambda connection: _refresh_batch(connection, batch))
            updated += count
            if not more:
                return updated


def _anything_waiting(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = select(outcome_events.c.id).where(WAITING).limit(1)
        return connection.execute(waiting).first() is not None


def rebuild(engine: Engine) -> int:
    """Derive every conversation again from its events, in one transaction (after a definition
    changes): readers see the old figures until the new ones are complete."""

    def everything(connection: Connection) -> tuple[int, bool]:
        connection.execute(delete(daily_measures))
        connection.execute(delete(conversation_facts))
        connection.execute(update(outcome_events).values(taken_in=False))
        total, more = 0, True
        while more:
            count, more = _refresh_batch(connection, BATCH)
            total += count
        return total, False

    with _IN_THIS_PROCESS:
        return _with_retries(engine, everything)[0]


def _with_retries(engine: Engine, work: Callable[[Connection], tuple[int, bool]]) -> tuple[int, bool]:
    """Run ``work`` in a transaction holding the refresh lock; SQLite's "database is locked" (another
    writer) and a lost race to create the lock row are retried after a pause."""
    for attempt in range(BUSY_RETRIES + 1):
        try:
            with engine.begin() as connection:
                take_lock(connection)
                return work(connection)
        except (IntegrityError, OperationalError) as error:
            if attempt == BUSY_RETRIES or "no such table" in str(error):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def take_lock(connection: Connection) -> None:
    """Hold the refresh lock until this transaction ends (a row update, which both SQLite and
    PostgreSQL make other writers wait for)."""
    held = connection.execute(
        update(monitoring_state).where(monitoring_state.c.name == LOCK).values(value=monitoring_state.c.value + 1)
    )
    if held.rowcount == 0:
        connection.execute(insert(monitoring_state).values(name=LOCK, value=1))


def _refresh_batch(connection: Connection, batch: int) -> tuple[int, bool]:
    rows = connection.execute(
        select(outcome_events.c.id, outcome_events.c.conversation_key, outcome_events.c.case_key)
        .where(WAITING)
        .order_by(outcome_events.c.id)
        .limit(batch)
    ).all()
    if not rows:
        return 0, False
    keys = {row.conversation_key for row in rows if row.conversation_key}
    orphan_cases = {row.case_key for row in rows if row.conversation_key is None and row.case_key}
    if orphan_cases:
        keys |= set(
            connection.execute(
                select(outcome_events.c.conversation_key).where(
                    outcome_events.c.case_key.in_(orphan_cases),
                    outcome_events.c.conversation_key.is_not(None),
                )
            ).scalars()
        )
    updated = update_conversations(connection, keys)
    connection.execute(
        update(outcome_events).where(outcome_events.c.id.in_([row.id for row in rows])).values(taken_in=True)
    )
    return updated, len(rows) == batch


def update_conversations(connection: Connection, keys: Iterable[str]) -> int:
    """Derive these conversations again and move their counts in the daily table."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    events = _events_of(connection, keys)
    old = {row.conversation_key: facts_from_row(row._mapping) for row in _facts_rows(connection, keys)}
    fresh = [facts_of(key, events[key]) for key in keys if events.get(key)]
    neighbours = _neighbours(connection, fresh, set(keys))
    fresh = mark_repeats(fresh, _starts(neighbours))
    deltas: dict[DayKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for facts in old.values():
        for name, amount in contribution(facts).items():
            deltas[day_key(facts)][name] -= amount
    for facts in fresh:
        for name, amount in contribution(facts).items():
            deltas[day_key(facts)][name] += amount
    connection.execute(delete(conversation_facts).where(conversation_facts.c.conversation_key.in_(keys)))
    if fresh:
        connection.execute(insert(conversation_facts), [facts_row(facts) for facts in fresh])
    _recount_later_repeats(connection, neighbours, fresh, deltas)
    add_to_daily(connection, deltas)
    return len(fresh)


def _neighbours(connection: Connection, fresh: list[ConversationFacts], keys: set[str]) -> list[ConversationFacts]:
    """The same residents' other conversations from 7 days before the first of these onwards."""
    if not fresh:
        return []
    residents = sorted({facts.resident_key for facts in fresh})
    since = min(facts.started_at for facts in fresh) - REPEAT_WINDOW
    rows = connection.execute(
        select(conversation_facts).where(
            and_(conversation_facts.c.resident_key.in_(residents), conversation_facts.c.started_at >= since)
        )
    ).mappings()
    return [facts_from_row(row) for row in rows if row["conversation_key"] not in keys]


def _starts(conversations: Iterable[ConversationFacts]) -> dict[str, list[tuple[str, datetime]]]:
    starts: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for facts in conversations:
        starts[facts.resident_key].append((facts.conversation_key, facts.started_at))
    return starts


def _recount_later_repeats(
    connection: Connection,
    neighbours: list[ConversationFacts],
    fresh: list[ConversationFacts],
    deltas: dict[DayKey, dict[str, int]],
) -> None:
    """Events arrive in any order: a conversation derived now can make a later one by the same
    resident a repeat (or, if it moved, stop it being one). Put those flags and counts right. Only
    conversations in the 7 days after one derived now can change, and their windows reach back no
    further than the neighbours loaded."""
    if not fresh:
        return
    first, last = min(f.started_at for f in fresh), max(f.started_at for f in fresh) + REPEAT_WINDOW
    for facts in mark_repeats(neighbours, _starts(fresh)):
        if not first < facts.started_at <= last:
            continue
        before = next(other for other in neighbours if other.conversation_key == facts.conversation_key)
        if facts.repeat == before.repeat:
            continue
        deltas[day_key(facts)]["repeat_7d"] += 1 if facts.repeat else -1
        connection.execute(
            update(conversation_facts)
            .where(conversation_facts.c.conversation_key == facts.conversation_key)
            .values(repeat=facts.repeat)
        )


def _events_of(connection: Connection, keys: list[str]) -> dict[str, list[OutcomeEvent]]:
    """Each conversation's events, with the events staff recorded on its cases."""
    columns = [column for column in outcome_events.c if column.name not in ("id", "taken_in")]
    own = connection.execute(select(*columns).where(outcome_events.c.conversation_key.in_(keys))).mappings().all()
    events: dict[str, list[OutcomeEvent]] = defaultdict(list)
    case_owner: dict[str, str] = {}
    for row in own:
        event = OutcomeEvent.from_row(row)
        events[row["conversation_key"]].append(event)
        if event.case_key and event.kind in CASE_OPENERS:
            case_owner[event.case_key] = row["conversation_key"]
    if case_owner:
        staff = connection.execute(
            select(*columns).where(
                outcome_events.c.case_key.in_(list(case_owner)), outcome_events.c.conversation_key.is_(None)
            )
        ).mappings()
        for row in staff:
            events[case_owner[row["case_key"]]].append(OutcomeEvent.from_row(row))
    return events


def _facts_rows(connection: Connection, keys: list[str]) -> list[Any]:
    return list(connection.execute(select(conversation_facts).where(conversation_facts.c.conversation_key.in_(keys))))


def mark_repeats(
    conversations: list[ConversationFacts], earlier: Mapping[str, list[Any]] | None = None
) -> list[ConversationFacts]:
    """Flag each conversation whose resident started another one in the 7 days before it."""
    starts: dict[str, list[datetime]] = defaultdict(list)
    for resident, known in (earlier or {}).items():
        starts[resident].extend(started for _, started in known)
    for facts in conversations:
        starts[facts.resident_key].append(facts.started_at)
    for resident_starts in starts.values():
        resident_starts.sort()
    return [replace(facts, repeat=came_back(starts[facts.resident_key], facts.started_at)) for facts in conversations]


def came_back(starts: list[datetime], started: datetime) -> bool:
    """Whether any of a resident's conversation ``starts`` (sorted) falls in the 7 days before
    ``started``: a conversation is a repeat (one starting at the same moment is not earlier)."""
    before = bisect_left(starts, started)
    return before > 0 and starts[before - 1] >= started - REPEAT_WINDOW


def add_to_daily(connection: Connection, deltas: Mapping[DayKey, Mapping[str, int]]) -> None:
    """Add counts to the daily table: new rows inserted together, existing rows updated."""
    changes = {key: {n: amount for n, amount in counts.items() if amount} for key, counts in deltas.items()}
    changes = {key: counts for key, counts in changes.items() if counts}
    if not changes:
        return
    days = [day for day, _, _ in changes]
    existing = {
        (row.day, row.service, row.entry_channel)
        for row in connection.execute(
            select(daily_measures.c.day, daily_measures.c.service, daily_measures.c.entry_channel).where(
                daily_measures.c.day >= min(days), daily_measures.c.day <= max(days)
            )
        )
    }
    fresh = [key for key in changes if key not in existing]
    if fresh:
        names = ("day", "service", "entry_channel") + COUNTERS
        rows = [(*key, *(changes[key].get(name, 0) for name in COUNTERS)) for key in fresh]
        insert_rows(connection, daily_measures, names, rows)
    for (day, service, entry), counts in changes.items():
        if (day, service, entry) in existing:
            connection.execute(
                update(daily_measures)
                .where(
                    daily_measures.c.day == day,
                    daily_measures.c.service == service,
                    daily_measures.c.entry_channel == entry,
                )
                .values({name: daily_measures.c[name] + amount for name, amount in counts.items()})
            )


def _joined(values: Iterable[str]) -> str:
    return ",".join(sorted(values))


def _split(value: str) -> frozenset[str]:
    return frozenset(part for part in value.split(",") if part)


def facts_row(facts: ConversationFacts) -> dict[str, Any]:
    """A conversation's facts as a row of ``conversation_facts``."""
    return {
        "conversation_key": facts.conversation_key,
        "resident_key": facts.resident_key,
        "started_at": facts.started_at,
        "day": local_day(facts),
        "entry_channel": facts.entry_channel,
        "service": facts.service or "",
        "outcome": facts.outcome,
        "needs": _joined(facts.needs),
        "offered": _joined(facts.offered),
        "accepted": _joined(facts.accepted),
        "contacted": _joined(facts.contacted),
        "resolved": _joined(facts.resolved),
        "offered_out_of_hours": facts.offered_out_of_hours,
        "contact_minutes": facts.contact_minutes,
        "contact_channel": facts.contact_channel,
        "contact_on_time": facts.contact_on_time,
        "digital_inclusion_offered": facts.digital_inclusion_offered,
        "digital_inclusion_accepted": facts.digital_inclusion_accepted,
        "satisfaction": facts.satisfaction,
        "consent": facts.consent,
        "abandoned_at": facts.abandoned_at,
        "ended": facts.ended,
        "repeat": facts.repeat,
        "report_made": facts.report_made,
        "report_closed_in": facts.report_closed_in,
        "updates_chosen": facts.updates_chosen,
        "updates_sent": _joined(facts.updates_sent),
        "updates_failed": _joined(facts.updates_failed),
        "no_show": facts.no_show,
        "status_asked": _joined(facts.status_asked),
    }


_FLAGS = (
    "digital_inclusion_offered",
    "digital_inclusion_accepted",
    "ended",
    "repeat",
    "report_made",
)  # NOT NULL booleans


_SETS = ("needs", "offered", "accepted", "contacted", "resolved", "updates_sent", "updates_failed", "status_asked")


def facts_from_row(row: Mapping[str, Any]) -> ConversationFacts:
    """A conversation's facts read back from its row."""
    sets = {name: _split(row[name] or "") for name in _SETS}
    flags = {name: bool(row[name]) for name in _FLAGS}
    return from_row(ConversationFacts, row, service=row["service"] or None, **sets, **flags)
