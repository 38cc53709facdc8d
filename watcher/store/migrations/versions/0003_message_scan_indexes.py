"""message scan indexes: unread mail, the user's latest outbound message, per-folder counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 05:00:00

A message row holds its text: on SQLite a column after it (direction, ours, parse_error)
is read through the row's overflow pages, so a query filtering on those over the whole
table costs time in proportion to the mailbox's bytes (half a second at 20,000 messages,
once per analysis batch). These indexes answer those queries from small entries.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_unread", ["parse_error", "ours", "direction"])
        batch_op.create_index("ix_messages_direction_sent", ["direction", "sent_at"])
        batch_op.create_index("ix_messages_folder_failed", ["folder_id", "parse_error"])


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_folder_failed")
        batch_op.drop_index("ix_messages_direction_sent")
        batch_op.drop_index("ix_messages_unread")
