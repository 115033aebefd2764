"""unsent_replies: Bot API calls journaled before they are made, made again after a crash

Revision ID: 0004_unsent_replies
Revises: 0002_application_paused
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_unsent_replies"
down_revision = "0002_application_paused"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unsent_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unsent_replies_update_id", "unsent_replies", ["update_id"])
    op.create_index("ix_unsent_replies_created_at", "unsent_replies", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_unsent_replies_created_at", table_name="unsent_replies")
    op.drop_index("ix_unsent_replies_update_id", table_name="unsent_replies")
    op.drop_table("unsent_replies")
