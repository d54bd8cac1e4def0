"""The monitoring tables, kept apart from Rasa's and the handoff tables.

Their migrations are the ``monitoring`` branch of the one history in ``storage/migrations``;
``storage.schema.migrate(engine, MONITORING)`` brings a database up to date.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table, false, text

from monitoring.measures import COUNTERS

metadata = MetaData()

outcome_events = Table(
    "outcome_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("resident_key", String(32), nullable=False, server_default=""),
    Column("conversation_key", String(32), index=True),
    Column("case_key", String(32), index=True),
    Column("entry_channel", String(16)),
    Column("intent", String(64)),
    Column("service", String(64)),
    Column("category", String(40)),
    Column("handoff_channel", String(16)),
    Column("in_hours", Boolean),
    Column("value", String(16)),
    # Whether the refresh has taken this event into the conversation facts yet.
    Column("taken_in", Boolean, nullable=False, server_default=false()),
    Index(
        "ix_outcome_events_waiting",
        "id",
        postgresql_where=text("NOT taken_in"),
        sqlite_where=text("NOT taken_in"),
    ),
)

# One row per conversation: its facts, derived from the events (``monitoring.facts``). Sets of
# channels or categories are stored sorted and comma-separated, from fixed vocabularies.
conversation_facts = Table(
    "conversation_facts",
    metadata,
    Column("conversation_key", String(32), primary_key=True),
    Column("resident_key", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("entry_channel", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("needs", String(256), nullable=False),
    Column("offered", String(64), nullable=False),
    Column("accepted", String(64), nullable=False),
    Column("contacted", String(64), nullable=False),
    Column("resolved", String(64), nullable=False),
    Column("offered_out_of_hours", Boolean),
    Column("contact_minutes", Float),
    Column("contact_channel", String(16)),
    Column("contact_on_time", Boolean),
    Column("digital_inclusion_offered", Boolean, nullable=False),
    Column("digital_inclusion_accepted", Boolean, nullable=False),
    Column("satisfaction", String(16)),
    Column("consent", String(16)),
    Column("abandoned_at", String(16)),
    Column("ended", Boolean, nullable=False),
    Column("repeat", Boolean, nullable=False),
    Column("report_made", Boolean, nullable=False, server_default=false()),
    Column("report_closed_in", String(16)),
    Column("updates_chosen", String(16)),
    Column("updates_sent", String(32), nullable=False, server_default=""),
    Column("updates_failed", String(32), nullable=False, server_default=""),
    Column("no_show", String(16)),
    Column("status_asked", String(32), nullable=False, server_default=""),
    Index("ix_conversation_facts_resident", "resident_key", "started_at"),
)

# The counters (``monitoring.measures``) summed by day, service ("" for none) and entry channel.
daily_measures = Table(
    "daily_measures",
    metadata,
    Column("day", Date, primary_key=True),
    Column("service", String(64), primary_key=True),
    Column("entry_channel", String(16), primary_key=True),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNTERS),
)

# The refresh lock (one row, updated at the start of every refresh transaction).
monitoring_state = Table(
    "monitoring_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)
