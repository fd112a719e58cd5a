"""outbox and inbox: messages to people and their delivery

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 17:04:09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aligna.model.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = "sent_at IS NULL AND dead_at IS NULL"


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "transport",
            sa.Enum(
                "inbox",
                "email",
                "apprise",
                name="transport_name",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=1000), nullable=False),
        sa.Column("event_kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dead_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_outbox_message_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_message_idempotency_key")),
    )
    op.create_index(
        "ix_outbox_message_pending",
        "outbox_message",
        ["due_at"],
        unique=False,
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index(
        op.f("ix_outbox_message_person_id"), "outbox_message", ["person_id"], unique=False
    )
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_inbox_item_message_id_outbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_inbox_item_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbox_item_message_id")),
    )
    op.create_index(
        "ix_inbox_item_person_read", "inbox_item", ["person_id", "read_at"], unique=False
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_inbox_item_person_read", table_name="inbox_item")
    op.drop_table("inbox_item")
    op.drop_index(op.f("ix_outbox_message_person_id"), table_name="outbox_message")
    op.drop_index("ix_outbox_message_pending", table_name="outbox_message")
    op.drop_table("outbox_message")
