"""The monitoring tables, kept apart from Rasa's and the handoff tables, and their migrations.

Migrations are Alembic revisions in ``monitoring/migrations``; ``migrate`` brings a database up
to date and is safe to run at every start.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

metadata = MetaData()

outcome_events = Table(
    "outcome_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("conversation_key", String(32), nullable=False, index=True),
    Column("entry_channel", String(16)),
    Column("intent", String(64)),
    Column("service", String(64)),
    Column("category", String(40)),
    Column("handoff_channel", String(16)),
    Column("in_hours", Boolean),
    Column("value", String(16)),
)


def migrate(engine: Engine) -> None:
    """Apply every migration the database has not had yet."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
