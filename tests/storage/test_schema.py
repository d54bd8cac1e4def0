"""One migration history makes every table: what start-up makes is what the code expects, the
monitoring command touches only the monitoring tables, and databases made before the history was
one keep their data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine

import storage.bookings  # noqa: F401  (each store module adds its tables to storage.engine.metadata)
import storage.handoffs  # noqa: F401
import storage.live_chat  # noqa: F401
import storage.notify_outbox  # noqa: F401  (with storage.update_contacts)
import storage.open311_outbox  # noqa: F401
import storage.reports  # noqa: F401
import storage.staff  # noqa: F401
from monitoring.schema import metadata as monitoring_tables
from storage.engine import metadata as assistant_tables
from storage.engine import open_engine
from storage.schema import ASSISTANT, VERSION_TABLE, migrate, migrate_monitoring, open_database


def differences(engine: Engine, tables: MetaData) -> list[object]:
    """What the database lacks or has differently from the tables the code declares."""
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), tables)
    return [d for d in found if _table_of(d) in tables.tables]  # the other branch's tables are not a difference


def _table_of(difference: object) -> str | None:
    """The table a difference from Alembic's comparison is about."""
    first = difference[0] if isinstance(difference, list) else difference
    assert isinstance(first, tuple)
    subject = first[1]
    if hasattr(subject, "name") and first[0] in ("add_table", "remove_table"):
        return str(subject.name)
    if hasattr(subject, "table"):  # an index or a constraint
        return str(subject.table.name)
    return str(first[2])  # column changes: (kind, schema, table, ...)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_the_migrations_make_exactly_the_tables_the_code_declares(engine):
    migrate(engine)
    assert differences(engine, assistant_tables) == []
    assert differences(engine, monitoring_tables) == []


def test_the_monitoring_command_touches_only_the_monitoring_tables(tmp_path: Path):
    engine = open_engine(f"sqlite:///{tmp_path}/figures.db")
    migrate_monitoring(engine)
    assert table_names(engine) == set(monitoring_tables.tables) | {VERSION_TABLE}
    assert not table_names(engine) & set(assistant_tables.tables)


def test_start_up_makes_both_and_running_it_again_changes_nothing(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/council.db"
    first = open_database(url)
    made = table_names(first)
    with first.connect() as connection:
        heads = sorted(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    first.dispose()
    again = open_database(url)
    assert table_names(again) == made == set(assistant_tables.tables) | set(monitoring_tables.tables) | {VERSION_TABLE}
    with again.connect() as connection:
        assert sorted(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()) == heads
    assert len(heads) == 2  # one head for each branch


def test_a_branch_that_does_not_exist_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="no migration branch"):
        migrate(open_engine(f"sqlite:///{tmp_path}/council.db"), "reports")


def test_a_database_made_before_migrations_keeps_its_cases(tmp_path: Path):
    """Tables made at start-up by the old code are taken over, not made again or emptied."""
    engine = open_engine(f"sqlite:///{tmp_path}/council.db")
    assistant_tables.create_all(engine)  # as start-up used to make them
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO staff_users (username, display_name, role, password_hash, failed_attempts, "
                 "available_for_webchat, created_at) VALUES ('asha', 'Asha', 'staff', 'x', 0, 0, '2026-11-01')")
        )  # fmt: skip
    migrate(engine, ASSISTANT)
    assert differences(engine, assistant_tables) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM staff_users")).scalars().all() == ["asha"]


def test_the_monitoring_revision_kept_in_its_old_table_is_carried_over(tmp_path: Path):
    """The monitoring tables once kept their revision in a table of their own."""
    engine = open_engine(f"sqlite:///{tmp_path}/council.db")
    migrate_monitoring(engine)
    with engine.begin() as connection:
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one()
        connection.execute(text(f"ALTER TABLE {VERSION_TABLE} RENAME TO monitoring_alembic_version"))
        connection.execute(text("INSERT INTO outcome_events (event_id, kind, at, conversation_key) "
                                "VALUES ('e1', 'conversation_started', '2026-11-23 10:00:00', 'k')"))  # fmt: skip
    migrate(engine)
    assert "monitoring_alembic_version" not in table_names(engine)
    with engine.connect() as connection:
        assert revision in connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        assert connection.execute(text("SELECT count(*) FROM outcome_events")).scalar_one() == 1
    assert differences(engine, monitoring_tables) == []
