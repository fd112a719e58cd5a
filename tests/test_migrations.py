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


def test_0003_marks_each_series_latest_closed_period(database_url: str) -> None:
    """Evaluations written before incremental evaluation get their latest rows marked."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from aligna.db import alembic_config

    engine = create_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    rows = [  # kpi, unit, period, partial
        (1, None, "2026-08", False),
        (1, None, "2026-09", False),
        (1, None, "2026-10", True),  # the open period: never the latest closed one
        (1, 5, "2026-08", False),
        (1, 5, "2026-09", False),
        (2, None, "2026-Q3", True),  # only an open period: nothing is latest
    ]
    with engine.begin() as connection:
        for kpi, unit, period, partial in rows:
            connection.execute(
                text(
                    "insert into kpi_evaluation (run_id, kpi_id, unit_id, period, partial, "
                    "signals, stale_reason) values (1, :k, :u, :p, :partial, '[]', '')"
                ),
                {"k": kpi, "u": unit, "p": period, "partial": partial},
            )
    upgrade(engine)
    with engine.connect() as connection:
        latest = connection.execute(
            text("select kpi_id, unit_id, period from kpi_evaluation where latest")
        ).all()
    assert sorted(latest, key=repr) == sorted([(1, None, "2026-09"), (1, 5, "2026-09")], key=repr)
    engine.dispose()
