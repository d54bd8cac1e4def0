"""The Open311 outbox: reports waiting to go to the council's back office, and what it answered.

Revision ID: a004_open311_outbox
Revises: a003_report_stages
"""

import sqlalchemy as sa
from alembic import op

revision = "a004_open311_outbox"
down_revision = "a003_report_stages"
branch_labels = None
depends_on = None


def _missing(table: str) -> bool:
    # A database whose tables were all made from the code's declarations (as a001 takes over) has them.
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("open311_outbox"):
        _outbox()
    if _missing("open311_connector"):
        op.create_table(
            "open311_connector",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("send_from", sa.DateTime(timezone=True), nullable=False),
            sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("missing_codes", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )


def _outbox() -> None:
    op.create_table(
        "open311_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("first_posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("back_office_id", sa.String(length=255), nullable=True),
        sa.Column("token", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("remote_status", sa.String(length=16), nullable=True),
        sa.Column("remote_notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(op.f("ix_open311_outbox_state"), "open311_outbox", ["state"], unique=False)
    op.create_index(op.f("ix_open311_outbox_next_attempt_at"), "open311_outbox", ["next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_table("open311_connector")
    op.drop_index(op.f("ix_open311_outbox_next_attempt_at"), table_name="open311_outbox")
    op.drop_index(op.f("ix_open311_outbox_state"), table_name="open311_outbox")
    op.drop_table("open311_outbox")
