"""person name index: search lists people by name

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_index("ix_person_name", "person", ["name"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_person_name", table_name="person")
