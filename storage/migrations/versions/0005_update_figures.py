"""Automatic-update figures: each conversation's facts say how the resident chose to hear back, which
channels updates went out or failed on, whether a no-show had its reminder, and whether the resident
asked for news on a reference with or without updates; the daily counters sum them.

Facts derived before this revision say none of these; ``python -m monitoring rebuild`` derives them
again from their events.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The counters added at this revision (monitoring/measures.py UPDATE_COUNTERS, as they were here).
_GROUPS = (
    "digital_exclusion", "disability", "mental_health_cognitive", "older_age", "financial_hardship",
    "language_literacy", "life_event", "carer_proxy", "frustration", "none", "all",
)  # fmt: skip
COUNTERS = (
    *(f"chose_{group}_{choice}" for group in _GROUPS for choice in ("text", "email", "letter", "none")),
    *(f"update_{stage}_{channel}" for stage in ("sent", "failed", "tried") for channel in ("text", "email", "letter")),
    *(f"{what}_{reminder}" for what in ("booked", "no_show") for reminder in ("reminded", "not_reminded")),
    "status_asked_updates_on",
    "status_asked_no_updates",
)


def upgrade() -> None:
    with op.batch_alter_table("conversation_facts") as batch:
        batch.add_column(sa.Column("updates_chosen", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("updates_sent", sa.String(length=32), nullable=False, server_default=""))
        batch.add_column(sa.Column("updates_failed", sa.String(length=32), nullable=False, server_default=""))
        batch.add_column(sa.Column("no_show", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("status_asked", sa.String(length=32), nullable=False, server_default=""))
    with op.batch_alter_table("daily_measures") as batch:
        for name in COUNTERS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("daily_measures") as batch:
        for name in reversed(COUNTERS):
            batch.drop_column(name)
    with op.batch_alter_table("conversation_facts") as batch:
        for name in ("status_asked", "no_show", "updates_failed", "updates_sent", "updates_chosen"):
            batch.drop_column(name)
