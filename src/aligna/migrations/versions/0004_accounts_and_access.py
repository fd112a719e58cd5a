"""accounts and access: sign-in (accounts, roles, sessions, attempts, tokens), restricted items

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:44:24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aligna.model.base

# Exactly one of a person or a unit per row of kpi_access and initiative_access.
ONE_GRANTEE = (
    "(person_id IS NOT NULL AND unit_id IS NULL) OR (person_id IS NULL AND unit_id IS NOT NULL)"
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_at", ["at"], unique=False)
        batch_op.create_index("ix_login_attempt_key_at", ["key", "at"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("oidc_issuer", sa.String(length=500), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_account_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_account_oidc"),
        sa.UniqueConstraint("person_id", name=op.f("uq_account_person_id")),
    )
    op.create_table(
        "account_role",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "strategy_office",
                name="account_role_name",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_role_account_id_account")
        ),
        sa.PrimaryKeyConstraint("account_id", "role", name=op.f("pk_account_role")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_api_token_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_account_id"), ["account_id"], unique=False)

    op.create_table(
        "initiative_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            ONE_GRANTEE,
            name=op.f("ck_initiative_access_one_grantee"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiative.id"],
            name=op.f("fk_initiative_access_initiative_id_initiative"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_initiative_access_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_initiative_access_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_access")),
        sa.UniqueConstraint("initiative_id", "person_id", name="uq_initiative_access_person"),
        sa.UniqueConstraint("initiative_id", "unit_id", name="uq_initiative_access_unit"),
    )
    with op.batch_alter_table("initiative_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_access_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_initiative_access_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "password_reset_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_password_reset_token_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_token_hash")),
    )
    with op.batch_alter_table("password_reset_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_token_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", aligna.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", aligna.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_web_session_account_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_account_id"), ["account_id"], unique=False)

    op.create_table(
        "kpi_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            ONE_GRANTEE,
            name=op.f("ck_kpi_access_one_grantee"),
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_access_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_kpi_access_person_id_person")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_kpi_access_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_access")),
        sa.UniqueConstraint("kpi_id", "person_id", name="uq_kpi_access_person"),
        sa.UniqueConstraint("kpi_id", "unit_id", name="uq_kpi_access_unit"),
    )
    with op.batch_alter_table("kpi_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_access_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_access_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("kpi_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_access_unit_id"))
        batch_op.drop_index(batch_op.f("ix_kpi_access_person_id"))

    op.drop_table("kpi_access")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_account_id"))

    op.drop_table("web_session")
    with op.batch_alter_table("password_reset_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_token_account_id"))

    op.drop_table("password_reset_token")
    with op.batch_alter_table("initiative_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_access_unit_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_access_person_id"))

    op.drop_table("initiative_access")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_account_id"))

    op.drop_table("api_token")
    op.drop_table("account_role")
    op.drop_table("account")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_key_at")
        batch_op.drop_index("ix_login_attempt_at")

    op.drop_table("login_attempt")
