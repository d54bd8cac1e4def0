"""Outcome events: one row per thing that happened, in fixed vocabularies only.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = ("monitoring",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("conversation_key", sa.String(32), nullable=False, index=True),
        sa.Column("entry_channel", sa.String(16)),
        sa.Column("intent", sa.String(64)),
        sa.Column("service", sa.String(64)),
        sa.Column("category", sa.String(40)),
        sa.Column("handoff_channel", sa.String(16)),
        sa.Column("in_hours", sa.Boolean),
        sa.Column("value", sa.String(16)),
    )


def downgrade() -> None:
    op.drop_table("outcome_events")
