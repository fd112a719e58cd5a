"""the foundation model

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:55:53.956441
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aligna.model.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "change_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_set_at"), ["at"], unique=False)

    op.create_table(
        "connection",
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("slug", name=op.f("uq_connection_slug")),
    )
    op.create_table(
        "foundation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission", sa.Text(), nullable=False),
        sa.Column("vision", sa.Text(), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foundation")),
    )
    op.create_table(
        "unit",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("slug", name=op.f("uq_unit_slug")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "value",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value")),
        sa.UniqueConstraint("slug", name=op.f("uq_value_slug")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("entity_kind", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_audit_entry_change_set_id_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_change_set_id"), ["change_set_id"], unique=False
        )
        batch_op.create_index("ix_audit_entry_entity", ["entity_kind", "entity_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["person.id"], name=op.f("fk_person_manager_id_person")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_person_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("slug", name=op.f("uq_person_slug")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_person_email_live",
            ["email"],
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )

    op.create_table(
        "initiative",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("budget_unit", sa.String(length=32), nullable=False),
        sa.Column(
            "mission_gap",
            sa.Enum(
                "relevance",
                "customers",
                "products",
                "technology",
                "infrastructure",
                name="mission_gap_topic",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_initiative_dates")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_initiative_owner_id_person")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_initiative_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative")),
        sa.UniqueConstraint("slug", name=op.f("uq_initiative_slug")),
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "objective",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_objective_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["objective.id"], name=op.f("fk_objective_parent_id_objective")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_objective_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("slug", name=op.f("uq_objective_slug")),
    )
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objective_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "process",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_process_owner_id_person")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_process_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process")),
        sa.UniqueConstraint("slug", name=op.f("uq_process_slug")),
    )
    with op.batch_alter_table("process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "team_membership",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_team_membership_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_team_membership_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("person_id", "unit_id", name=op.f("pk_team_membership")),
    )
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_membership_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "initiative_contributor",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_contributor_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_initiative_contributor_person_id_person")
        ),
        sa.PrimaryKeyConstraint(
            "initiative_id", "person_id", name=op.f("pk_initiative_contributor")
        ),
    )
    with op.batch_alter_table("initiative_contributor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_contributor_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "initiative_influencer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "lateral",
                "vertical",
                "cross_functional",
                name="influencer_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (unit_id IS NULL)",
            name=op.f("ck_initiative_influencer_person_or_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_influencer_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_initiative_influencer_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_initiative_influencer_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_influencer")),
    )
    with op.batch_alter_table("initiative_influencer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_influencer_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_influencer_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_influencer_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "kpi",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=32), nullable=False),
        sa.Column(
            "polarity",
            sa.Enum(
                "higher_is_better",
                "lower_is_better",
                "within_range",
                name="polarity",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "frequency",
            sa.Enum(
                "day",
                "week",
                "month",
                "quarter",
                "year",
                name="frequency",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "aggregation",
            sa.Enum(
                "sum",
                "mean",
                "last",
                name="aggregation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("staleness_days", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("source_manual", sa.Boolean(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("breakdown_unit_kind", sa.String(length=32), nullable=True),
        sa.Column(
            "breakdown_total",
            sa.Enum(
                "sum",
                "mean",
                "none",
                name="breakdown_total",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("baseline_period", sa.String(length=16), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("target_value", sa.Float(), nullable=True),
        sa.Column("target_by", sa.String(length=16), nullable=True),
        sa.Column(
            "target_shape",
            sa.Enum(
                "linear",
                "compound",
                name="trajectory_shape",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("red_flag_offset", sa.String(length=32), nullable=True),
        sa.Column("red_flag_value", sa.Float(), nullable=True),
        sa.Column("stretch_offset", sa.String(length=32), nullable=True),
        sa.Column("stretch_value", sa.Float(), nullable=True),
        sa.Column("band_lo", sa.Float(), nullable=True),
        sa.Column("band_hi", sa.Float(), nullable=True),
        sa.Column("red_band_lo", sa.Float(), nullable=True),
        sa.Column("red_band_hi", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(source_manual AND connection_id IS NULL) OR "
            "(NOT source_manual AND connection_id IS NOT NULL)",
            name=op.f("ck_kpi_source"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["connection.id"], name=op.f("fk_kpi_connection_id_connection")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_kpi_owner_id_person")),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_kpi_process_id_process")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_kpi_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi")),
        sa.UniqueConstraint("slug", name=op.f("uq_kpi_slug")),
    )
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_connection_id"), ["connection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name=op.f("ck_milestone_percent")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_milestone_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("initiative_id", "slug", name="uq_milestone_initiative_slug"),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_initiative_id"), ["initiative_id"], unique=False
        )

    op.create_table(
        "business_scorecard_item",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_business_scorecard_item_weight")),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_business_scorecard_item_kpi_id_kpi")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_business_scorecard_item_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("unit_id", "kpi_id", name=op.f("pk_business_scorecard_item")),
    )
    with op.batch_alter_table("business_scorecard_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_scorecard_item_kpi_id"), ["kpi_id"], unique=False
        )

    op.create_table(
        "kpi_influencer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "lateral",
                "vertical",
                "cross_functional",
                name="influencer_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (unit_id IS NULL)",
            name=op.f("ck_kpi_influencer_person_or_unit"),
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_influencer_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_kpi_influencer_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_kpi_influencer_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_influencer")),
    )
    with op.batch_alter_table("kpi_influencer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_influencer_kpi_id"), ["kpi_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kpi_influencer_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_kpi_influencer_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "kpi_objective",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_kpi_objective_weight")),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_objective_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["objective_id"], ["objective.id"], name=op.f("fk_kpi_objective_objective_id_objective")
        ),
        sa.PrimaryKeyConstraint("kpi_id", "objective_id", name=op.f("pk_kpi_objective")),
    )
    with op.batch_alter_table("kpi_objective", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kpi_objective_objective_id"), ["objective_id"], unique=False
        )

    op.create_table(
        "kpi_target_override",
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("red_flag", sa.Float(), nullable=True),
        sa.Column("stretch", sa.Float(), nullable=True),
        sa.Column("lo", sa.Float(), nullable=True),
        sa.Column("hi", sa.Float(), nullable=True),
        sa.Column("red_lo", sa.Float(), nullable=True),
        sa.Column("red_hi", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_target_override_kpi_id_kpi")
        ),
        sa.PrimaryKeyConstraint("kpi_id", "period", name=op.f("pk_kpi_target_override")),
    )
    op.create_table(
        "scorecard_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "accountable",
                "contributor",
                "influencer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kpi_id IS NULL) <> (initiative_id IS NULL)",
            name=op.f("ck_scorecard_item_kpi_or_initiative"),
        ),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_scorecard_item_weight")),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_scorecard_item_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_scorecard_item_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_scorecard_item_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_scorecard_item_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_item")),
    )
    with op.batch_alter_table("scorecard_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_item_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scorecard_item_kpi_id"), ["kpi_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_scorecard_item_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "vision_target",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column(
            "projection",
            sa.Enum(
                "compound",
                "linear",
                name="projection",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("archived_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_vision_target_kpi_id_kpi")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vision_target")),
        sa.UniqueConstraint("slug", name=op.f("uq_vision_target_slug")),
    )
    with op.batch_alter_table("vision_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vision_target_kpi_id"), ["kpi_id"], unique=False)

    op.create_table(
        "initiative_contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("vision_target_id", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(objective_id IS NULL) <> (vision_target_id IS NULL)",
            name=op.f("ck_initiative_contribution_objective_or_target"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_contribution_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_initiative_contribution_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["vision_target_id"],
            ["vision_target.id"],
            name=op.f("fk_initiative_contribution_vision_target_id_vision_target"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_contribution")),
    )
    with op.batch_alter_table("initiative_contribution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_contribution_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_contribution_objective_id"), ["objective_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_contribution_vision_target_id"),
            ["vision_target_id"],
            unique=False,
        )

    op.create_table(
        "objective_vision_target",
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("vision_target_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_objective_vision_target_objective_id_objective"),
        ),
        sa.ForeignKeyConstraint(
            ["vision_target_id"],
            ["vision_target.id"],
            name=op.f("fk_objective_vision_target_vision_target_id_vision_target"),
        ),
        sa.PrimaryKeyConstraint(
            "objective_id", "vision_target_id", name=op.f("pk_objective_vision_target")
        ),
    )
    with op.batch_alter_table("objective_vision_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_vision_target_vision_target_id"),
            ["vision_target_id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("objective_vision_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_vision_target_vision_target_id"))

    op.drop_table("objective_vision_target")
    with op.batch_alter_table("initiative_contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_contribution_vision_target_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_contribution_objective_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_contribution_initiative_id"))

    op.drop_table("initiative_contribution")
    with op.batch_alter_table("vision_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vision_target_kpi_id"))

    op.drop_table("vision_target")
    with op.batch_alter_table("scorecard_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_item_person_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_item_kpi_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_item_initiative_id"))

    op.drop_table("scorecard_item")
    op.drop_table("kpi_target_override")
    with op.batch_alter_table("kpi_objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_objective_objective_id"))

    op.drop_table("kpi_objective")
    with op.batch_alter_table("kpi_influencer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_influencer_unit_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_influencer_person_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_influencer_kpi_id"))

    op.drop_table("kpi_influencer")
    with op.batch_alter_table("business_scorecard_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_scorecard_item_kpi_id"))

    op.drop_table("business_scorecard_item")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_initiative_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_unit_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_process_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_owner_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_connection_id"))

    op.drop_table("kpi")
    with op.batch_alter_table("initiative_influencer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_influencer_unit_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_influencer_person_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_influencer_initiative_id"))

    op.drop_table("initiative_influencer")
    with op.batch_alter_table("initiative_contributor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_contributor_person_id"))

    op.drop_table("initiative_contributor")
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_membership_unit_id"))

    op.drop_table("team_membership")
    with op.batch_alter_table("process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_unit_id"))
        batch_op.drop_index(batch_op.f("ix_process_owner_id"))

    op.drop_table("process")
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_unit_id"))
        batch_op.drop_index(batch_op.f("ix_objective_parent_id"))
        batch_op.drop_index(batch_op.f("ix_objective_owner_id"))

    op.drop_table("objective")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_unit_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_owner_id"))

    op.drop_table("initiative")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_person_email_live",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_person_unit_id"))
        batch_op.drop_index(batch_op.f("ix_person_manager_id"))

    op.drop_table("person")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entry_change_set_id"))

    op.drop_table("audit_entry")
    op.drop_table("value")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))

    op.drop_table("unit")
    op.drop_table("foundation")
    op.drop_table("connection")
    with op.batch_alter_table("change_set", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_set_at"))

    op.drop_table("change_set")
