"""channels: events, notifications, preferences, escalation, jobs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:49:20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aligna.model.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "escalation_rule",
        sa.Column("exception_kind", sa.String(length=32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("levels", sa.Integer(), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_escalation_rule_days")),
        sa.CheckConstraint("levels >= 0", name=op.f("ck_escalation_rule_levels")),
        sa.PrimaryKeyConstraint("exception_kind", name=op.f("pk_escalation_rule")),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("runner", sa.String(length=200), nullable=False),
        sa.Column("started_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index("ix_job_run_job_started", ["job", "started_at"], unique=False)

    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "apprise_destination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("events", aligna.model.base.JSONDocument, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (unit_id IS NULL)",
            name=op.f("ck_apprise_destination_person_or_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_apprise_destination_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_apprise_destination_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apprise_destination")),
    )
    with op.batch_alter_table("apprise_destination", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apprise_destination_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_apprise_destination_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "digest_mark",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("last_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_digest_mark_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_digest_mark")),
    )
    op.create_table(
        "notification_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("event_kind", sa.String(length=40), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "immediately",
                "daily",
                "weekly",
                "off",
                name="delivery",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_notification_preference_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", "event_kind", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kpi_id IS NULL) <> (initiative_id IS NULL)", name=op.f("ck_follow_kpi_or_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_follow_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_follow_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_follow_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow")),
    )
    with op.batch_alter_table("follow", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_kpi_id"), ["kpi_id"], unique=False)
        batch_op.create_index(
            "uq_follow_person_kpi",
            ["person_id", "kpi_id"],
            unique=True,
            sqlite_where=sa.text("kpi_id IS NOT NULL"),
            postgresql_where=sa.text("kpi_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_follow_person_initiative",
            ["person_id", "initiative_id"],
            unique=True,
            sqlite_where=sa.text("initiative_id IS NOT NULL"),
            postgresql_where=sa.text("initiative_id IS NOT NULL"),
        )

    op.create_table(
        "channel_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("exception_id", sa.Integer(), nullable=True),
        sa.Column("kpi_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("status_from", sa.String(length=32), nullable=True),
        sa.Column("status_to", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("dispatched_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_person_id"], ["person.id"], name=op.f("fk_channel_event_actor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["performance_exception.id"],
            name=op.f("fk_channel_event_exception_id_performance_exception"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_channel_event_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_channel_event_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["milestone_id"], ["milestone.id"], name=op.f("fk_channel_event_milestone_id_milestone")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_channel_event_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_event")),
        sa.UniqueConstraint("key", name=op.f("uq_channel_event_key")),
    )
    with op.batch_alter_table("channel_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_event_exception_id"), ["exception_id"], unique=False
        )
        batch_op.create_index(
            "ix_channel_event_pending",
            ["id"],
            unique=False,
            sqlite_where=sa.text("dispatched_at IS NULL"),
            postgresql_where=sa.text("dispatched_at IS NULL"),
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "owner",
                "manager",
                "influencer",
                "follower",
                name="recipient_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "delivery",
            sa.Enum(
                "immediately",
                "daily",
                "weekly",
                "off",
                name="delivery",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["channel_event.id"], name=op.f("fk_notification_event_id_channel_event")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_notification_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("event_id", "person_id", name=op.f("uq_notification_event_id")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_person_created", ["person_id", "created_at"], unique=False
        )

    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refresh_schedule", sa.String(length=100), nullable=True))

    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refresh_schedule", sa.String(length=100), nullable=True))

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_id", sa.Integer(), nullable=True))
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_destination_id_apprise_destination"),
            "apprise_destination",
            ["destination_id"],
            ["id"],
        )

    with op.batch_alter_table("performance_exception", schema=None) as batch_op:
        # Existing exceptions start at level 0, their clock at their opening.
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("level_since", aligna.model.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "acknowledged_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("acknowledged_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("commitment", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("commitment_due", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_performance_exception_acknowledged_by_id_person"),
            "person",
            ["acknowledged_by_id"],
            ["id"],
        )
    op.execute("UPDATE performance_exception SET level_since = opened_at")
    # The defaults were only for the rows already there; the model sets the values.
    with op.batch_alter_table("performance_exception", schema=None) as batch_op:
        batch_op.alter_column("level", server_default=None)
        batch_op.alter_column("commitment", server_default=None)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("performance_exception", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_performance_exception_acknowledged_by_id_person"), type_="foreignkey"
        )
        batch_op.drop_column("commitment_due")
        batch_op.drop_column("commitment")
        batch_op.drop_column("acknowledged_by_id")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("level_since")
        batch_op.drop_column("level")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_destination_id_apprise_destination"), type_="foreignkey"
        )
        batch_op.alter_column("person_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("destination_id")

    with op.batch_alter_table("kpi", schema=None) as batch_op:
        batch_op.drop_column("refresh_schedule")

    with op.batch_alter_table("connection", schema=None) as batch_op:
        batch_op.drop_column("refresh_schedule")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_person_created")

    op.drop_table("notification")
    with op.batch_alter_table("channel_event", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_channel_event_pending",
            sqlite_where=sa.text("dispatched_at IS NULL"),
            postgresql_where=sa.text("dispatched_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_channel_event_exception_id"))

    op.drop_table("channel_event")
    with op.batch_alter_table("follow", schema=None) as batch_op:
        batch_op.drop_index("uq_follow_person_initiative")
        batch_op.drop_index("uq_follow_person_kpi")
        batch_op.drop_index(batch_op.f("ix_follow_kpi_id"))
        batch_op.drop_index(batch_op.f("ix_follow_initiative_id"))

    op.drop_table("follow")
    op.drop_table("notification_preference")
    op.drop_table("digest_mark")
    with op.batch_alter_table("apprise_destination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apprise_destination_unit_id"))
        batch_op.drop_index(batch_op.f("ix_apprise_destination_person_id"))

    op.drop_table("apprise_destination")
    op.drop_table("scheduler_lease")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index("ix_job_run_job_started")

    op.drop_table("job_run")
    op.drop_table("escalation_rule")
