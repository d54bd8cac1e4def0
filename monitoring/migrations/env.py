"""Alembic environment for the monitoring tables: runs on the connection ``migrate`` passes in."""

from __future__ import annotations

from alembic import context

from monitoring.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table="monitoring_alembic_version")
with context.begin_transaction():
    context.run_migrations()
