"""incremental leads: decision horizons, message links, regroup queue, refresh state

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_change_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("last_at", sa.DateTime(timezone=True)))
        batch_op.create_index("ix_decisions_next_change_at", ["next_change_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_message_key", ["message_key"], unique=False)
    op.create_table(
        "message_links",
        sa.Column("message_key", sa.String(length=128), nullable=False),
        sa.Column("link", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("message_key", "link"),
    )
    op.create_index("ix_message_links_link", "message_links", ["link"], unique=False)
    op.create_table(
        "regroup_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "refresh_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_watermark", sa.BigInteger(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("regroup_all", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("refresh_state")
    op.drop_table("regroup_queue")
    op.drop_index("ix_message_links_link", table_name="message_links")
    op.drop_table("message_links")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_message_key")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_next_change_at")
        batch_op.drop_column("last_at")
        batch_op.drop_column("next_change_at")
