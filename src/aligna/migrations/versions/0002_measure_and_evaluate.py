"""measure and evaluate

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:44:10.396848
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aligna.model.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "evaluation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kpis", sa.Integer(), nullable=False),
        sa.Column("incremental", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_run")),
    )
    op.create_table(
        "kpi_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("red_flag", sa.Float(), nullable=True),
        sa.Column("stretch", sa.Float(), nullable=True),
        sa.Column("lo", sa.Float(), nullable=True),
        sa.Column("hi", sa.Float(), nullable=True),
        sa.Column("red_lo", sa.Float(), nullable=True),
        sa.Column("red_hi", sa.Float(), nullable=True),
        sa.Column("variance", sa.Float(), nullable=True),
        sa.Column("percent_of_target", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("trend", sa.String(length=16), nullable=True),
        sa.Column("centre", sa.Float(), nullable=True),
        sa.Column("lower_limit", sa.Float(), nullable=True),
        sa.Column("upper_limit", sa.Float(), nullable=True),
        sa.Column("upper_range_limit", sa.Float(), nullable=True),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("stale_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_evaluation")),
    )
    with op.batch_alter_table("kpi_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kpi_evaluation_kpi_unit_period", ["kpi_id", "unit_id", "period"], unique=False
        )

    op.create_table(
        "scorecard_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("items_off_track", sa.Integer(), nullable=False),
        sa.Column("items_at_risk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_scorecard_evaluation_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_run.id"],
            name=op.f("fk_scorecard_evaluation_run_id_evaluation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_evaluation")),
    )
    with op.batch_alter_table("scorecard_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_evaluation_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "initiative_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("time_elapsed", sa.Float(), nullable=False),
        sa.Column("overdue_milestones", sa.Integer(), nullable=False),
        sa.Column("most_days_overdue", sa.Integer(), nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_evaluation_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_run.id"],
            name=op.f("fk_initiative_evaluation_run_id_evaluation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_evaluation")),
    )
    with op.batch_alter_table("initiative_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_evaluation_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "objective_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("stale_share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_objective_evaluation_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_run.id"],
            name=op.f("fk_objective_evaluation_run_id_evaluation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_evaluation")),
    )
    with op.batch_alter_table("objective_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_evaluation_objective_id"), ["objective_id"], unique=False
        )

    op.create_table(
        "kpi_forecast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("end_period", sa.String(length=16), nullable=False),
        sa.Column("final_target", sa.Float(), nullable=False),
        sa.Column("projected", sa.Float(), nullable=False),
        sa.Column("slope", sa.Float(), nullable=False),
        sa.Column("meets", sa.Boolean(), nullable=False),
        sa.Column("reach_period", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_forecast_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_run.id"], name=op.f("fk_kpi_forecast_run_id_evaluation_run")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_kpi_forecast_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_forecast")),
    )
    with op.batch_alter_table("kpi_forecast", schema=None) as batch_op:
        batch_op.create_index("ix_kpi_forecast_kpi_unit", ["kpi_id", "unit_id"], unique=False)

    op.create_table(
        "kpi_refresh",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("started_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("new_values", sa.Integer(), nullable=False),
        sa.Column("revised_values", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_refresh_kpi_id_kpi")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_refresh")),
    )
    with op.batch_alter_table("kpi_refresh", schema=None) as batch_op:
        batch_op.create_index("ix_kpi_refresh_kpi_started", ["kpi_id", "started_at"], unique=False)

    op.create_table(
        "kpi_target_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("set_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.Column(
            "target",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_kpi_target_version_change_set_id_change_set"),
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_target_version_kpi_id_kpi")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_target_version")),
    )
    with op.batch_alter_table("kpi_target_version", schema=None) as batch_op:
        batch_op.create_index("ix_kpi_target_version_kpi_set", ["kpi_id", "set_at"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("taken_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_observation_kpi_id_kpi")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_observation_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_current", ["kpi_id", "unit_id", "period", "superseded_at"], unique=False
        )

    op.create_table(
        "performance_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_performance_exception_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_performance_exception_kpi_id_kpi")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_performance_exception_milestone_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_performance_exception_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_performance_exception_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_exception")),
    )
    with op.batch_alter_table("performance_exception", schema=None) as batch_op:
        batch_op.create_index(
            "ix_performance_exception_key_closed", ["key", "closed_at"], unique=False
        )

    op.create_table(
        "vision_gap_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("vision_target_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("projection", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("covered", sa.Float(), nullable=False),
        sa.Column("uncovered", sa.Float(), nullable=True),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["evaluation_run.id"],
            name=op.f("fk_vision_gap_evaluation_run_id_evaluation_run"),
        ),
        sa.ForeignKeyConstraint(
            ["vision_target_id"],
            ["vision_target.id"],
            name=op.f("fk_vision_gap_evaluation_vision_target_id_vision_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vision_gap_evaluation")),
    )
    with op.batch_alter_table("vision_gap_evaluation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vision_gap_evaluation_vision_target_id"),
            ["vision_target_id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("vision_gap_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vision_gap_evaluation_vision_target_id"))

    op.drop_table("vision_gap_evaluation")
    with op.batch_alter_table("performance_exception", schema=None) as batch_op:
        batch_op.drop_index("ix_performance_exception_key_closed")

    op.drop_table("performance_exception")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_current")

    op.drop_table("observation")
    with op.batch_alter_table("kpi_target_version", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_target_version_kpi_set")

    op.drop_table("kpi_target_version")
    with op.batch_alter_table("kpi_refresh", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_refresh_kpi_started")

    op.drop_table("kpi_refresh")
    with op.batch_alter_table("kpi_forecast", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_forecast_kpi_unit")

    op.drop_table("kpi_forecast")
    with op.batch_alter_table("objective_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_evaluation_objective_id"))

    op.drop_table("objective_evaluation")
    with op.batch_alter_table("initiative_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_evaluation_initiative_id"))

    op.drop_table("initiative_evaluation")
    with op.batch_alter_table("scorecard_evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_evaluation_person_id"))

    op.drop_table("scorecard_evaluation")
    with op.batch_alter_table("kpi_evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_evaluation_kpi_unit_period")

    op.drop_table("kpi_evaluation")
    op.drop_table("evaluation_run")
