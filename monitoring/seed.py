"""A realistic synthetic history of conversations, for demonstrations and benchmarks.

The conversations are made by ``monitoring.synthetic``; their facts come from the same
``facts_of``, repeat rule (``came_back``) and ``contribution`` the refresh uses, so the dashboard
reads seeded data exactly as it reads real data (``tests/monitoring/test_refresh.py`` derives a
seeded history again through the refresh and compares).

Seed only a demonstration or benchmark database: repeats are counted among the seeded
conversations only.

A million conversations (about five million events) must seed in minutes. The history is made in
parts of ``PART`` conversations, each from its own random stream (so the result does not depend
on how many processes make it), by worker processes when there is more than one part; the main
process writes each part's events as they come, in one transaction through ``storage.bulk`` (on
SQLite the indexes are built after the rows). The facts are kept until all are made: then the
repeats among them are flagged and counted, and they are written in key order.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, Iterator, NamedTuple

from sqlalchemy.engine import Dialect, Engine
from tqdm import tqdm

from monitoring.facts import facts_of
from monitoring.measures import contribution
from monitoring.refresh import DayKey, add_to_daily, came_back, day_key, facts_row, take_lock
from monitoring.schema import conversation_facts, outcome_events
from monitoring.synthetic import SeedEvent, event_ids, new_key, start_time, synthetic_conversation
from routing import clock
from storage.bulk import bulk_load, driver_rows, insert_driver_rows

PART = 10_000  # conversations made (and written) at a time
WORKERS = min(4, os.cpu_count() or 1)
EVENT_COLUMNS = ("event_id",) + SeedEvent._fields + ("taken_in",)
FACT_COLUMNS = tuple(conversation_facts.c.keys())
_in_column_order = itemgetter(*FACT_COLUMNS)
Tally = Counter[tuple[DayKey, tuple[tuple[str, int], ...]]]


@dataclass(frozen=True)
class SeedResult:
    """What a seed run wrote."""

    conversations: int
    events: int
    days: int


@dataclass(frozen=True)
class Plan:
    """What every part of one seed run shares."""

    random_seed: int
    days: int
    end: datetime
    residents: list[str]
    run: str  # random hex, so event ids never repeat across runs
    dialect: Dialect


class Part(NamedTuple):
    """One part of the history, ready to write."""

    event_rows: list[tuple[Any, ...]]  # as the database driver is given them
    fact_rows: list[tuple[Any, ...]]
    tally: Tally  # what the part adds to the daily counters, by day and the counters added
    starts: list[tuple[str, str, datetime, DayKey]]  # key, resident, start, daily row


_PLAN: Plan | None = None  # the run's plan, for the worker processes (inherited when they fork)


def make_part(number: int, count: int, plan: Plan | None = None) -> Part:
    """Conversations ``number * PART`` onwards (``count`` of them), with their facts and counts."""
    plan = plan or _PLAN
    assert plan is not None, "make_part runs in a seed run"
    rng = random.Random(f"{plan.random_seed}/{number}")
    ids = event_ids(plan.run, number)
    tally: Tally = Counter()
    starts = []
    event_rows: list[tuple[Any, ...]] = []
    fact_rows = []
    for _ in range(count):
        events = synthetic_conversation(rng, rng.choice(plan.residents), start_time(rng, plan.end, plan.days))
        key = events[0].conversation_key or ""
        facts = facts_of(key, events)  # not a repeat yet: repeats are found once all are made
        row = facts_row(facts)
        fact_rows.append(_in_column_order(row))
        daily = day_key(facts)
        tally[(daily, tuple(contribution(facts).items()))] += 1
        starts.append((key, facts.resident_key, facts.started_at, daily))
        event_rows += [(next(ids), event.kind.value, *event[1:], True) for event in events]
    return Part(
        driver_rows(plan.dialect, outcome_events, EVENT_COLUMNS, event_rows),
        driver_rows(plan.dialect, conversation_facts, FACT_COLUMNS, fact_rows),
        tally,
        starts,
    )


def _make_part(task: tuple[int, int]) -> Part:
    return make_part(*task)


def seed(
    engine: Engine,
    conversations: int,
    days: int = 365,
    random_seed: int = 2026,
    end: datetime | None = None,
    progress: bool = True,
) -> SeedResult:
    """Write ``conversations`` synthetic conversations over the ``days`` before ``end``, in one
    transaction holding the refresh lock (the events go in already taken in, with their facts)."""
    global _PLAN
    if conversations < 1 or days < 1:
        raise ValueError("seed at least one conversation over at least one day")
    # In UTC, as every stored time is (the rows are written as they are made, not through as_row).
    end = (end or clock.now().replace(hour=0, minute=0, second=0, microsecond=0)).astimezone(timezone.utc)
    residents = [new_key() for _ in range(max(1, int(conversations * 0.85)))]
    plan = Plan(random_seed, days, end, residents, secrets.token_hex(5), engine.dialect)
    tasks = [(number, min(PART, conversations - start)) for number, start in enumerate(range(0, conversations, PART))]
    tally: Tally = Counter()
    starts: list[tuple[str, str, datetime, DayKey]] = []
    fact_rows: list[tuple[Any, ...]] = []
    written = 0
    bar = tqdm(total=conversations, desc="Seeding conversations", unit="conv", disable=not progress)
    _PLAN = plan
    try:
        with _parts(tasks) as parts, bulk_load(engine, outcome_events, conversation_facts) as connection:
            take_lock(connection)
            for part in parts:
                insert_driver_rows(connection, outcome_events, EVENT_COLUMNS, part.event_rows)
                written += len(part.event_rows)
                fact_rows += part.fact_rows
                tally.update(part.tally)
                starts += part.starts
                bar.update(len(part.starts))
            deltas: dict[DayKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for (daily, counts), times in tally.items():
                for name, amount in counts:
                    deltas[daily][name] += amount * times
            _mark_repeats(engine.dialect, starts, fact_rows, deltas)
            # In key order, so the primary key's index fills in order rather than at random.
            fact_rows.sort(key=itemgetter(FACT_COLUMNS.index("conversation_key")))
            for start in range(0, len(fact_rows), PART):
                insert_driver_rows(connection, conversation_facts, FACT_COLUMNS, fact_rows[start : start + PART])
            add_to_daily(connection, deltas)
    finally:
        _PLAN = None
        bar.close()
    return SeedResult(conversations, written, days)


@contextmanager
def _parts(tasks: list[tuple[int, int]]) -> Iterator[Iterator[Part]]:
    """The parts in order: made here for a single part, else by worker processes."""
    if len(tasks) == 1 or WORKERS == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield map(_make_part, tasks)
        return
    # Forked, so the workers have the plan (and its residents) without it being sent to them.
    with multiprocessing.get_context("fork").Pool(min(WORKERS, len(tasks))) as pool:
        yield pool.imap(_make_part, tasks)


def _mark_repeats(
    dialect: Dialect,
    starts: list[tuple[str, str, datetime, DayKey]],
    fact_rows: list[tuple[Any, ...]],
    deltas: dict[DayKey, dict[str, int]],
) -> None:
    """Flag the conversations whose resident came back within 7 days (by the refresh's own rule) in
    their rows (``fact_rows[i]`` is ``starts[i]``'s), and count them as the refresh does: a repeat
    adds 1 to ``repeat_7d`` and nothing else."""
    by_resident: dict[str, list[datetime]] = defaultdict(list)
    for _, resident, started, _ in starts:
        by_resident[resident].append(started)
    for resident_starts in by_resident.values():
        resident_starts.sort()
    column = FACT_COLUMNS.index("repeat")
    [(repeat,)] = driver_rows(dialect, conversation_facts, ("repeat",), [(True,)])
    for position, (_, resident, started, daily) in enumerate(starts):
        if len(by_resident[resident]) > 1 and came_back(by_resident[resident], started):
            row = fact_rows[position]
            fact_rows[position] = (*row[:column], repeat, *row[column + 1 :])
            deltas[daily]["repeat_7d"] += 1
