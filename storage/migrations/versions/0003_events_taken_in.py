"""Events are marked when the refresh takes them in (an id watermark skips events whose
transaction commits late); events recorded before 0002 get a resident key.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcome_events") as batch:
        batch.add_column(sa.Column("taken_in", sa.Boolean, nullable=False, server_default=sa.false()))
    # Events before 0002 had no resident key: their conversation's key stands in (it is a keyed
    # hash too), so they can be derived like the rest.
    op.execute("UPDATE outcome_events SET resident_key = conversation_key WHERE resident_key = ''")
    op.execute(
        "UPDATE outcome_events SET taken_in = (id <= COALESCE("
        "(SELECT value FROM monitoring_state WHERE name = 'events'), 0))"
    )
    op.execute("DELETE FROM monitoring_state WHERE name = 'events'")
    op.create_index(
        "ix_outcome_events_waiting",
        "outcome_events",
        ["id"],
        postgresql_where=sa.text("NOT taken_in"),
        sqlite_where=sa.text("NOT taken_in"),
    )


def downgrade() -> None:
    op.drop_index("ix_outcome_events_waiting", "outcome_events")
    with op.batch_alter_table("outcome_events") as batch:
        batch.drop_column("taken_in")
