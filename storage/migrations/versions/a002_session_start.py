"""Staff sessions keep when they started, so a session can end after a time idle and, however
busy, a fixed time after signing in.

Revision ID: a002_session_start
Revises: a001
"""

import sqlalchemy as sa
from alembic import op

revision = "a002_session_start"
down_revision = "a001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("staff_sessions")}
    if "started_at" in columns:  # made at start-up by code that already had it, before migrations
        return
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("started_at")
