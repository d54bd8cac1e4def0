"""Automatic updates to residents: how each chose to hear back, the outbox of messages (GOV.UK
Notify, or the local outbox), and the planner's place in the webhook events.

A table already made from the code's own declarations (a database made at start-up, as a001 takes
over) is left as it is.

Revision ID: a006_updates
Revises: a005_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "a006_updates"
down_revision = "a005_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("notify_outbox"):
        return  # made with the rest from the code's declarations, all three together
    op.create_table(
        "update_contacts",
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference"),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occasion", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("personalisation", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome_unknown", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sa.String(length=32), nullable=True),
        sa.Column("notify_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    for column in ("reference", "state", "next_attempt_at"):
        op.create_index(op.f(f"ix_notify_outbox_{column}"), "notify_outbox", [column], unique=False)
    op.create_table(
        "update_planner",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("update_planner")
    op.drop_table("notify_outbox")
    op.drop_table("update_contacts")
