"""The Open311 outbox: reports waiting to go to the council's back office, and what it answered.

Revision ID: a004_open311_outbox
Revises: a003_report_stages
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a004_open311_outbox"
down_revision = "a003_report_stages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
