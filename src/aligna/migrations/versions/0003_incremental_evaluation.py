"""incremental evaluation: the latest row of each series, and the times changes are found by

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("evaluation_run") as batch:
        batch.add_column(sa.Column("change_set_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("observation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refresh_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("kpi_evaluation") as batch:
        batch.add_column(
            sa.Column("latest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Rows written before this migration: mark each series' latest closed period.
    op.execute(
        """
        update kpi_evaluation set latest = true
        where partial = false and period = (
            select max(e.period) from kpi_evaluation e
            where e.kpi_id = kpi_evaluation.kpi_id
              and (e.unit_id = kpi_evaluation.unit_id
                   or (e.unit_id is null and kpi_evaluation.unit_id is null))
              and e.partial = false
        )
        """
    )
    op.create_index(
        "ix_kpi_evaluation_latest",
        "kpi_evaluation",
        ["kpi_id", "unit_id"],
        unique=False,
        sqlite_where=sa.text("latest"),
        postgresql_where=sa.text("latest"),
    )
    op.create_index("ix_observation_taken_at", "observation", ["taken_at"], unique=False)
    op.create_index("ix_kpi_refresh_finished", "kpi_refresh", ["finished_at"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_kpi_refresh_finished", table_name="kpi_refresh")
    op.drop_index("ix_observation_taken_at", table_name="observation")
    op.drop_index(
        "ix_kpi_evaluation_latest",
        table_name="kpi_evaluation",
        sqlite_where=sa.text("latest"),
        postgresql_where=sa.text("latest"),
    )
    with op.batch_alter_table("kpi_evaluation") as batch:
        batch.drop_column("latest")
    with op.batch_alter_table("evaluation_run") as batch:
        batch.drop_column("refresh_id")
        batch.drop_column("observation_id")
        batch.drop_column("change_set_id")
