"""The assistant's own tables: handoff cases and their history, booked seats, live chat, reports and
staff accounts. Before migrations, these tables were made at start-up; a database made that way
already has them, so each is created only where it is missing.

Revision ID: a001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "a001"
down_revision = None
branch_labels = ("assistant",)
depends_on = None


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("api_tokens"):
        op.create_table(
            "api_tokens",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=32), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_hash"),
        )
        op.create_index(op.f("ix_api_tokens_username"), "api_tokens", ["username"], unique=False)
    if _missing("handoff_cases"):
        op.create_table(
            "handoff_cases",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("reference", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=True),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("mode", sa.String(length=24), nullable=False),
            sa.Column("trigger", sa.String(length=24), nullable=False),
            sa.Column("status", sa.String(length=24), nullable=False),
            sa.Column("service_code", sa.String(length=64), nullable=True),
            sa.Column("intent", sa.String(length=64), nullable=True),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("needs", sa.Text(), nullable=False),
            sa.Column("adjustments", sa.Text(), nullable=False),
            sa.Column("transcript", sa.Text(), nullable=False),
            sa.Column("callback_number", sa.String(length=20), nullable=True),
            sa.Column("slot_start", sa.DateTime(timezone=True), nullable=True),
            sa.Column("slot_end", sa.DateTime(timezone=True), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("claimed_by", sa.String(length=64), nullable=True),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("reference"),
        )
        op.create_index(op.f("ix_handoff_cases_conversation_id"), "handoff_cases", ["conversation_id"], unique=False)
        op.create_index(op.f("ix_handoff_cases_status"), "handoff_cases", ["status"], unique=False)
    if _missing("live_chat_presence"):
        op.create_table(
            "live_chat_presence",
            sa.Column("reference", sa.String(length=16), nullable=False),
            sa.Column("adviser_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("reference"),
        )
    if _missing("live_messages"):
        op.create_table(
            "live_messages",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("reference", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=False),
            sa.Column("sender", sa.String(length=16), nullable=False),
            sa.Column("author", sa.String(length=80), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_live_messages_conversation_id"), "live_messages", ["conversation_id"], unique=False)
        op.create_index(op.f("ix_live_messages_reference"), "live_messages", ["reference"], unique=False)
    if _missing("service_requests"):
        op.create_table(
            "service_requests",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("service_request_id", sa.String(length=16), nullable=False),
            sa.Column("service_code", sa.String(length=64), nullable=False),
            sa.Column("open311_code", sa.String(length=64), nullable=False),
            sa.Column("address_string", sa.String(length=255), nullable=True),
            sa.Column("postcode", sa.String(length=10), nullable=True),
            sa.Column("lat", sa.Float(), nullable=True),
            sa.Column("long", sa.Float(), nullable=True),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("status_notes", sa.Text(), nullable=True),
            sa.Column("requested_datetime", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_datetime", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("service_request_id"),
        )
    if _missing("slot_bookings"):
        op.create_table(
            "slot_bookings",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
            sa.Column("seat", sa.Integer(), nullable=False),
            sa.Column("reference", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("kind", "slot_start", "seat", name="one_booking_per_seat"),
        )
        op.create_index(op.f("ix_slot_bookings_reference"), "slot_bookings", ["reference"], unique=False)
    if _missing("staff_sessions"):
        op.create_table(
            "staff_sessions",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=32), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_hash"),
        )
        op.create_index(op.f("ix_staff_sessions_username"), "staff_sessions", ["username"], unique=False)
    if _missing("staff_users"):
        op.create_table(
            "staff_users",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=32), nullable=False),
            sa.Column("display_name", sa.String(length=80), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("failed_attempts", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.Column("available_for_webchat", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("username"),
        )
    if _missing("handoff_events"):
        op.create_table(
            "handoff_events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=24), nullable=False),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["case_id"], ["handoff_cases.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_handoff_events_case_id"), "handoff_events", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("handoff_events")
    op.drop_table("staff_users")
    op.drop_table("staff_sessions")
    op.drop_table("slot_bookings")
    op.drop_table("service_requests")
    op.drop_table("live_messages")
    op.drop_table("live_chat_presence")
    op.drop_table("handoff_cases")
    op.drop_table("api_tokens")
