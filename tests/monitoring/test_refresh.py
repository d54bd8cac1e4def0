"""Facts and daily counters follow the events: one outcome per conversation, staff events joined
through the case, counts moved (not added twice) when a conversation changes, repeats within 7
days, and a seeded history that reads the same as one derived event by event."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, func, select

from monitoring import seed as seeding
from monitoring.events import EventKind as E
from monitoring.events import OutcomeEvent, keyed_hash
from monitoring.metric_values import Filters, read_period
from monitoring.recorder import Outbox, OutcomeRecorder, Outcomes
from monitoring.refresh import rebuild, refresh
from monitoring.schema import conversation_facts, daily_measures, monitoring_state, outcome_events
from monitoring.seed import seed
from storage.schema import MONITORING, migrate

SECRET = b"refresh tests"
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
WHOLE_MONTH = Filters(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def engine(engine):  # the project's engine fixture (SQLite and PostgreSQL), monitoring tables emptied
    migrate(engine, MONITORING)
    with engine.begin() as connection:
        for table in (outcome_events, conversation_facts, daily_measures, monitoring_state):
            connection.execute(delete(table))
    return engine


@pytest.fixture
def outcomes(engine, tmp_path) -> Outcomes:
    return Outcomes(OutcomeRecorder(engine, Outbox(tmp_path / "outbox.jsonl")), SECRET)


def say(outcomes: Outcomes, sender: str, kind: E, at: datetime, session: str | None = "s1", **fields) -> None:
    outcomes.record(sender, kind, session=session, at=at, **fields)


def totals(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(read_period(connection, WHOLE_MONTH).totals)


def facts(engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(conversation_facts).order_by(conversation_facts.c.started_at)).mappings())


def test_a_handoff_resolved_days_later_moves_the_conversation_not_adds_it(engine, outcomes):
    at = MONDAY_10AM
    say(outcomes, "resident-a", E.CONVERSATION_STARTED, at, entry_channel="web")
    say(outcomes, "resident-a", E.SUPPORT_NEED_DETECTED, at, category="digital_exclusion")
    say(outcomes, "resident-a", E.HANDOFF_OFFERED, at, handoff_channel="phone", in_hours=True)
    say(outcomes, "resident-a", E.HANDOFF_ACCEPTED, at + timedelta(minutes=1), case="SCC-CB-1", handoff_channel="phone")
    assert refresh(engine) == 1
    before = totals(engine)
    assert (before["conversations"], before["outcome_handed_off"], before["eligible_digital_exclusion"]) == (1, 1, 0)

    # Two days later a member of staff calls back and resolves it: events keyed by the case only.
    later = at + timedelta(days=2)
    outcomes.record("resident-a", E.CONTACT_MADE, case="SCC-CB-1", at=later, handoff_channel="phone", value="late")
    outcomes.record("resident-a", E.RESOLVED, case="SCC-CB-1", at=later, handoff_channel="phone")
    assert refresh(engine) == 1
    after = totals(engine)
    assert after["conversations"] == 1  # the same conversation, not a second one
    assert (after["outcome_handed_off"], after["outcome_handed_off_resolved"]) == (0, 1)
    assert (after["eligible_digital_exclusion"], after["resolved_digital_exclusion"]) == (1, 1)
    assert (after["contact_phone"], after["late_phone"], after["wait_phone_11"]) == (1, 1, 1)  # within 2 days
    [row] = facts(engine)
    assert (row["outcome"], row["needs"], row["contacted"]) == ("handed_off_resolved", "digital_exclusion", "phone")
    assert refresh(engine) == 0  # nothing new: nothing moves


def test_each_session_is_its_own_conversation_and_a_return_within_7_days_is_a_repeat(engine, outcomes):
    say(outcomes, "resident-b", E.CONVERSATION_STARTED, MONDAY_10AM, session="s1", entry_channel="rest")
    say(outcomes, "resident-b", E.PAYMENT_SIGNPOSTED, MONDAY_10AM, session="s1", service="council_tax")
    say(
        outcomes,
        "resident-b",
        E.CONVERSATION_STARTED,
        MONDAY_10AM + timedelta(days=3),
        session="s2",
        entry_channel="rest",
    )
    say(outcomes, "resident-c", E.CONVERSATION_STARTED, MONDAY_10AM + timedelta(days=3), entry_channel="web")
    refresh(engine)
    rows = facts(engine)
    assert [(row["outcome"], row["repeat"]) for row in rows] == [
        ("resolved_by_bot", False),
        ("abandoned", True),
        ("abandoned", False),
    ]
    assert totals(engine)["repeat_7d"] == 1


def test_the_tables_hold_no_identity_only_keyed_hashes(engine, outcomes):
    say(outcomes, "jo.bloggs@example.org", E.CONVERSATION_STARTED, MONDAY_10AM, entry_channel="web")
    refresh(engine)
    [row] = facts(engine)
    assert "jo.bloggs" not in str(dict(row))
    assert row["resident_key"] == keyed_hash(SECRET, "resident:jo.bloggs@example.org")


def test_two_refreshes_at_once_count_everything_once(engine, outcomes):
    for number in range(40):
        say(outcomes, f"resident-{number}", E.CONVERSATION_STARTED, MONDAY_10AM, entry_channel="web")
        say(outcomes, f"resident-{number}", E.REPORT_CREATED, MONDAY_10AM, service="fly_tipping")
    threads = [threading.Thread(target=refresh, args=(engine, 7)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = totals(engine)
    assert (counted["conversations"], counted["outcome_resolved_by_bot"]) == (40, 40)


def test_filters_by_service_and_entry_channel(engine, outcomes):
    for sender, entry, service in [
        ("r1", "web", "fly_tipping"),
        ("r2", "embed", "fly_tipping"),
        ("r3", "web", "council_tax"),
    ]:
        say(outcomes, sender, E.CONVERSATION_STARTED, MONDAY_10AM, entry_channel=entry)
        say(outcomes, sender, E.INTENT, MONDAY_10AM, intent="report_issue", service=service)
    refresh(engine)
    with engine.connect() as connection:

        def count(**filters: str) -> int:
            return read_period(connection, Filters(WHOLE_MONTH.start, WHOLE_MONTH.end, **filters)).totals[
                "conversations"
            ]

        assert count() == 3
        assert count(service="fly_tipping") == 2
        assert count(entry_channel="web") == 2
        assert count(service="fly_tipping", entry_channel="embed") == 1
        assert read_period(connection, Filters(date(2026, 12, 1), date(2026, 12, 31))).totals["conversations"] == 0


@pytest.mark.parametrize("part", [None, 150], ids=["one part", "parts made by worker processes"])
def test_a_seeded_history_reads_the_same_as_one_derived_event_by_event(engine, part, monkeypatch):
    if part:
        monkeypatch.setattr(seeding, "PART", part)
    end = datetime(2026, 11, 28, tzinfo=timezone.utc)
    result = seed(engine, 600, days=30, end=end, progress=False)
    window = Filters(date(2026, 10, 1), date(2026, 11, 30))
    with engine.connect() as connection:
        seeded = dict(read_period(connection, window).totals)
        events = connection.execute(select(func.count()).select_from(outcome_events)).scalar_one()
    seeded_facts = facts_by_key(engine)
    assert seeded["conversations"] == 600 and events == result.events
    assert 0 < seeded["outcome_resolved_by_bot"] < 600 and seeded["need_any"] > 0
    assert seeded["repeat_7d"] > 0 and seeded["handed_off"] > 0 and seeded["outcome_safeguarding"] > 0
    rebuild(engine)  # derive every conversation again from its events, through the refresh
    with engine.connect() as connection:
        assert dict(read_period(connection, window).totals) == seeded
    assert facts_by_key(engine) == seeded_facts  # every conversation's facts, not only the sums


def facts_by_key(engine) -> dict[str, dict]:
    with engine.connect() as connection:
        return {row["conversation_key"]: dict(row) for row in connection.execute(select(conversation_facts)).mappings()}


def test_a_seeded_history_keeps_the_tables_as_the_migrations_made_them(tmp_path):
    """The seed builds SQLite's indexes after the rows: afterwards every index is there, as it
    was, the refresh's question still uses its index, and the connection's settings are back."""
    from sqlalchemy import text

    from monitoring.refresh import WAITING
    from storage.engine import open_engine

    sqlite = open_engine(f"sqlite:///{tmp_path}/seeded.db")
    migrate(sqlite, MONITORING)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    with sqlite.connect() as connection:
        before = connection.execute(text(schema)).all()
    seed(sqlite, 300, days=20, progress=False)
    waiting = select(outcome_events.c.id).where(WAITING).limit(1)
    with sqlite.connect() as connection:
        assert connection.execute(text(schema)).all() == before
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL, SQLite's default
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        sql = str(waiting.compile(sqlite, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_outcome_events_waiting" in plan
    sqlite.dispose()


def test_a_broken_event_never_reaches_the_table(engine, outcomes):
    outcomes.record("resident-d", E.SATISFACTION, session="s1", value="it was awful, call me on 07700 900123")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(outcome_events)).scalar_one() == 0
    with pytest.raises(ValueError):
        OutcomeEvent(kind=E.SATISFACTION, resident_key=keyed_hash(SECRET, "x"), conversation_key=None)


@pytest.mark.postgres
def test_an_event_committed_late_is_still_taken_in(postgres_url, tmp_path):
    """Ids are handed out before commit: on PostgreSQL an event with a lower id can appear after a
    higher one has been taken in. (SQLite lets one writer in at a time, so this cannot happen.)"""
    engine = create_engine(postgres_url, future=True)
    migrate(engine, MONITORING)
    with engine.begin() as connection:
        for table in (outcome_events, conversation_facts, daily_measures, monitoring_state):
            connection.execute(delete(table))
    outcomes = Outcomes(OutcomeRecorder(engine, Outbox(tmp_path / "outbox.jsonl")), SECRET)
    slow = engine.connect()
    transaction = slow.begin()
    row = OutcomeEvent(
        kind=E.CONVERSATION_STARTED,
        resident_key=outcomes.resident_key("resident-slow"),
        conversation_key=outcomes.conversation_key("resident-slow", "s1"),
        at=MONDAY_10AM,
        entry_channel="web",
    ).as_row()
    slow.execute(outcome_events.insert().values(**row))  # its id is taken; not committed yet
    say(outcomes, "resident-fast", E.CONVERSATION_STARTED, MONDAY_10AM, entry_channel="web")
    assert refresh(engine) == 1  # takes in the fast one, with the higher id
    transaction.commit()
    slow.close()
    assert refresh(engine) == 1  # and the slow one once it is there
    assert totals(engine)["conversations"] == 2
    engine.dispose()


def test_a_late_conversation_does_not_undo_a_later_ones_repeat(engine, outcomes):
    nov = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
    say(outcomes, "resident-e", E.CONVERSATION_STARTED, nov, session="a", entry_channel="web")
    say(outcomes, "resident-e", E.CONVERSATION_STARTED, nov + timedelta(days=3), session="n", entry_channel="web")
    refresh(engine)
    say(outcomes, "resident-e", E.CONVERSATION_STARTED, nov + timedelta(days=9), session="f", entry_channel="web")
    refresh(engine)
    assert totals(engine)["repeat_7d"] == 2  # n (3 days after a) and f (6 days after n)
    rebuild(engine)
    assert totals(engine)["repeat_7d"] == 2


def test_events_recorded_before_resident_keys_existed_are_still_counted(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from storage.schema import MIGRATIONS

    old = create_engine(f"sqlite:///{tmp_path}/old.db", future=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO outcome_events (event_id, kind, at, conversation_key, entry_channel) "
                "VALUES ('e1', 'conversation_started', '2026-11-23 10:00:00', :key, 'web')"
            ),
            {"key": keyed_hash(SECRET, "old conversation")},
        )
    migrate(old, MONITORING)
    assert refresh(old) == 1
    assert totals(old)["conversations"] == 1


def test_asking_whether_any_event_waits_uses_the_index_not_a_scan_of_every_event(tmp_path):
    """Every dashboard load asks this; over millions of events a scan took a second."""
    from sqlalchemy import text

    from monitoring.refresh import WAITING

    sqlite = create_engine(f"sqlite:///{tmp_path}/plan.db", future=True)
    migrate(sqlite, MONITORING)
    query = select(outcome_events.c.id).where(WAITING).limit(1)
    sql = str(query.compile(sqlite, compile_kwargs={"literal_binds": True}))
    with sqlite.connect() as connection:
        plan = " ".join(str(row) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_outcome_events_waiting" in plan
