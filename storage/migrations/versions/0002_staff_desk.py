"""staff desk: alert text, who claimed and when, last message, stage card in the topic

Revision ID: 0002_staff_desk
Revises: 0001
Create Date: 2026-12-01 11:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_staff_desk"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_conversations") as batch:
        batch.add_column(sa.Column("alert_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("claimed_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("staff_card_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("staff_card_message_id")
    with op.batch_alter_table("support_conversations") as batch:
        batch.drop_column("last_message_at")
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_name")
        batch.drop_column("alert_text")
