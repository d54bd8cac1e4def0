"""The reports queue: each report's stage (new, acknowledged, in progress, closed) and its history of public notes.

Reports made before the queue start at ``new``, or ``closed`` where Open311's status already says so.

Revision ID: a003_report_stages
Revises: a002_session_start
"""

import sqlalchemy as sa
from alembic import op

revision = "a003_report_stages"
down_revision = "a002_session_start"
branch_labels = None
depends_on = None


def upgrade() -> None:
    found = sa.inspect(op.get_bind())
    if "stage" in {column["name"] for column in found.get_columns("service_requests")}:
        return  # tables made at start-up from the code's own declarations (as a001 takes over)
    with op.batch_alter_table("service_requests") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("changes", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index(op.f("ix_service_requests_stage"), ["stage"], unique=False)
    requests = sa.table(
        "service_requests",
        sa.column("status", sa.String),
        sa.column("stage", sa.String),
        sa.column("closed_at", sa.DateTime),
        sa.column("updated_datetime", sa.DateTime),
    )
    op.execute(
        requests.update()
        .where(requests.c.status == "closed")
        .values(stage="closed", closed_at=requests.c.updated_datetime)
    )
    if found.has_table("report_updates"):
        return
    op.create_table(
        "report_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("public_note", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["reference"], ["service_requests.service_request_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_report_updates_reference"), "report_updates", ["reference"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_updates_reference"), table_name="report_updates")
    op.drop_table("report_updates")
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_index(op.f("ix_service_requests_stage"))
        batch.drop_column("changes")
        batch.drop_column("closed_at")
        batch.drop_column("stage")
