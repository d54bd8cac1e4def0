"""Signed outgoing webhooks: subscribers, the events waiting for them, and each delivery attempt.

Revision ID: a005_webhooks
Revises: a004_open311_outbox
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a005_webhooks"
down_revision = "a004_open311_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
