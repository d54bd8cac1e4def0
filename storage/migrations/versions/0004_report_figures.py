"""Report volumes and times to close: each conversation's facts say whether it made a report and how
long staff took to close it, and the daily counters sum them by service.

Facts derived before this revision say no report; ``python -m monitoring rebuild`` derives them again
from their events.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The counters added at this revision (monitoring/measures.py REPORT_COUNTERS, as they were here).
COUNTERS = (
    "reports",
    "reports_closed",
    "report_closed_1_day",
    "report_closed_7_days",
    "report_closed_28_days",
    "report_closed_longer",
)


def upgrade() -> None:
    with op.batch_alter_table("conversation_facts") as batch:
        batch.add_column(sa.Column("report_made", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("report_closed_in", sa.String(length=16), nullable=True))
    with op.batch_alter_table("daily_measures") as batch:
        for name in COUNTERS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("daily_measures") as batch:
        for name in reversed(COUNTERS):
            batch.drop_column(name)
    with op.batch_alter_table("conversation_facts") as batch:
        batch.drop_column("report_closed_in")
        batch.drop_column("report_made")
