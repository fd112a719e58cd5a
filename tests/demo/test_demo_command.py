"""`aligna demo` as a new user runs it: build, apply, show the map; reuse; refuse to clobber."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from aligna import cli
from aligna import model as m
from aligna.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.errors, "width", 400)
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_demo_builds_applies_and_shows_the_map(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--people", "20", "--dir", str(folder), "--no-serve"])
    assert result.exit_code == 0, result.output
    for words in (
        "Alignment Map · Tidewell Pumps",
        "Mission",
        "Vision targets",
        "Today: processes and their KPIs",
        "Tomorrow: strategic initiatives",
        "Applied the project as change set 1",
        "20 people",
    ):
        assert words in result.output, words
    for name in ("aligna.toml", "kpis.yaml", "scorecards.csv", "aligna.db", "warehouse.duckdb"):
        assert (folder / name).exists(), name
    engine = create_engine(f"sqlite:///{folder / 'aligna.db'}")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.Person)).scalar() == 20
        items = connection.execute(
            select(m.ScorecardItem.person_id, func.count()).group_by(m.ScorecardItem.person_id)
        ).all()
    assert len(items) == 20 and all(3 <= count <= 5 for _, count in items)
    # The demo is live: every query KPI refreshed, and statuses vary.
    assert "Refreshed 23 KPIs from the warehouse (0 failed)" in result.output
    with engine.connect() as connection:
        statuses = set(
            connection.execute(
                select(m.KpiEvaluation.status).where(m.KpiEvaluation.unit_id.is_(None))
            ).scalars()
        )
        open_exceptions = connection.execute(
            select(func.count())
            .select_from(m.PerformanceException)
            .where(m.PerformanceException.closed_at.is_(None))
        ).scalar()
    assert {"on_track", "at_risk", "off_track"} <= statuses
    assert open_exceptions > 0
    # The three demo sign-ins are printed with the address to open.
    assert "Demo sign-ins for http://127.0.0.1:8000 (password: aligna-demo-password)" in (
        result.output
    )
    assert f"Serve it later: aligna --project {folder} serve" in result.output
    for role in ("admin", "manager", "member"):
        assert re.search(rf"│ {role}\s+│ \S+@\S+", result.output), role
    # The folder is a project like any other: plan finds nothing to do.
    result = runner.invoke(app, ["--project", str(folder), "plan"])
    assert result.exit_code == 0 and "No changes" in result.output


def test_demo_reuses_its_folder_and_rebuilds_with_fresh(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert (
        runner.invoke(app, ["demo", "--people", "20", "--dir", str(folder), "--no-serve"]).exit_code
        == 0
    )
    people = (folder / "people.csv").read_text()
    result = runner.invoke(app, ["demo", "--people", "40", "--dir", str(folder), "--no-serve"])
    assert result.exit_code == 0
    assert "Reusing the demo" in result.output and "people = 20" in result.output
    assert (folder / "people.csv").read_text() == people
    result = runner.invoke(
        app, ["demo", "--people", "40", "--dir", str(folder), "--fresh", "--no-serve"]
    )
    assert result.exit_code == 0, result.output
    assert (folder / "people.csv").read_text().count("\n") == 41  # header + 40 people


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious")
    result = runner.invoke(app, ["demo", "--dir", str(folder), "--fresh", "--no-serve"])
    assert result.exit_code == 1
    assert "is not an aligna demo folder" in result.output
    assert (folder / "thesis.txt").read_text() == "precious"


def test_demo_people_out_of_range_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--people", "19", "--dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert not (tmp_path / "d").exists()
