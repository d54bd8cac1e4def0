"""Every table's migrations, in one Alembic history (``storage/migrations``) with two branches.

``assistant`` holds the assistant's own tables (cases, bookings, live chat, reports, staff);
``monitoring`` holds the outcome events and the figures built from them, which may live in a
database of their own. ``migrate`` is the one way tables are made or changed: every process runs it
at start-up, and it is safe to run again and from several threads.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from storage.engine import open_engine

ASSISTANT = "assistant"
MONITORING = "monitoring"
BRANCHES = (ASSISTANT, MONITORING)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# Before the two histories became one, the monitoring branch kept its revision in a table of its own.
_EARLIER_MONITORING_VERSIONS = "monitoring_alembic_version"
_MIGRATING = threading.Lock()  # Alembic keeps its context in module globals: one at a time


def migrate(engine: Engine, *branches: str) -> None:
    """Apply the migrations ``branches`` (default: both) have not had yet in this database."""
    unknown = set(branches) - set(BRANCHES)
    if unknown:
        raise ValueError(f"no migration branch {', '.join(sorted(unknown))}; use {' or '.join(BRANCHES)}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes starting together: the second waits, then finds nothing left to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(20261205)"))
        _adopt_earlier_versions(connection)
        config.attributes["connection"] = connection
        for branch in branches or BRANCHES:
            command.upgrade(config, f"{branch}@head")


def migrate_monitoring(engine: Engine) -> None:
    """Apply the monitoring branch only (what ``python -m monitoring`` and the outcome recorder need)."""
    migrate(engine, MONITORING)


def open_database(url: str, *branches: str) -> Engine:
    """An engine for ``url`` with the ``branches``' tables (default: both) up to date."""
    engine = open_engine(url)
    migrate(engine, *branches)
    return engine


def _adopt_earlier_versions(connection: Connection) -> None:
    tables = inspect(connection).get_table_names()
    if _EARLIER_MONITORING_VERSIONS not in tables:
        return
    revision = connection.execute(text(f"SELECT version_num FROM {_EARLIER_MONITORING_VERSIONS}")).scalar()
    if VERSION_TABLE not in tables:
        connection.execute(text(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    if revision is not None:
        insert = text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:revision)")
        connection.execute(insert, {"revision": revision})
    connection.execute(text(f"DROP TABLE {_EARLIER_MONITORING_VERSIONS}"))
