"""application_steps: message_id (the client's message that gave a typed answer)

Revision ID: 0005_step_message
Revises: 0004_unsent_replies
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_step_message"
down_revision = "0004_unsent_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application_steps") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_steps") as batch:
        batch.drop_column("message_id")
