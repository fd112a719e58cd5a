"""The migrations build exactly the tables the model declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from aligna.db import schema_is_current, upgrade
from aligna.model import Base


def test_upgraded_database_matches_the_model(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert schema_is_current(engine)


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert "scorecard_item" in before and "audit_entry" in before
