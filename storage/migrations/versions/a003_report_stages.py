"""The reports queue: each report's stage (new, acknowledged, in progress, closed) and its history of public notes.

Revision ID: a003_report_stages
Revises: a002_session_start
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a003_report_stages"
down_revision = "a002_session_start"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
