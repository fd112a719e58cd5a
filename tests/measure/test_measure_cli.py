"""`aligna refresh` and `aligna record` as a user runs them, on a small demo organisation."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from aligna import cli
from aligna.cli import app
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.files.service import apply_project, validate_project
from aligna.model import ChangeSet
from aligna.settings import load_settings

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    """Run the command; return its exit code and everything it printed."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 20-person demo, built and applied once for the module."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    build_demo_project(folder, people=20)
    engine = open_database(load_settings(folder).resolved_database_url())
    with session_scope(engine) as session:
        apply_project(session, validate_project(folder), actor="test", message="demo")
    engine.dispose()
    return folder


@pytest.fixture
def demo(built_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the demo, with the current folder inside it."""
    folder = tmp_path / "demo"
    shutil.copytree(built_demo, folder)
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setattr(cli.errors, "width", 250)
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIGNA_ACTOR", "tester")
    monkeypatch.chdir(folder)
    return folder


def test_refresh_everything_then_nothing_is_due(demo: Path) -> None:
    code, output = run("refresh")
    assert code == 0, output
    assert "Refresh" in output and "warehouse" in output and "23 KPIs in" in output
    code, output = run("refresh", "--due")
    assert code == 0, output
    assert "Nothing to refresh: no KPI is due." in output
    code, output = run("refresh", "--kpi", "revenue", "--kpi", "scrap-rate", "--all")
    assert code == 0, output
    assert "revenue" in output and "scrap-rate" in output and "gross-margin" not in output


def test_a_failing_kpi_is_listed_and_the_command_exits_1(demo: Path) -> None:
    with duckdb.connect(str(demo / "warehouse.duckdb")) as db:
        db.execute("alter table nps_responses rename to survey_answers")
    code, output = run("refresh")
    assert code == 1
    assert "net-promoter-score" in output and "nps_responses does not exist" in output
    assert "error: 1 KPI failed; their errors are kept and shown as stale" in output
    assert "revenue" not in output.split("KPIs")[-1]  # only the failures are listed


def test_refresh_refuses_an_unknown_connection_or_a_manual_kpi(demo: Path) -> None:
    code, output = run("refresh", "--connection", "nope")
    assert code == 1 and "unknown connection 'nope', expected one of: warehouse" in output
    code, output = run("refresh", "--kpi", "employee-engagement")
    assert code == 1 and "KPI 'employee-engagement' is entered by hand" in output


def test_record_a_value_then_revise_it(demo: Path) -> None:
    code, output = run("record", "employee-engagement", "2025-Q3", "71.5", "--note", "survey")
    assert code == 0, output
    assert "Recorded employee-engagement 2025-Q3: 71.5 (revision 1) as change set" in output
    code, output = run("record", "employee-engagement", "2025-Q3", "-2")  # a negative value
    assert code == 0, output
    assert "(revision 2, replacing 71.5)" in output
    code, output = run("record", "employee-engagement", "2025-Q3", "-2")
    assert code == 0 and "Nothing written" in output
    engine = create_engine(f"sqlite:///{demo / 'aligna.db'}")
    with engine.connect() as connection:
        messages = connection.execute(select(ChangeSet.message, ChangeSet.actor)).all()
    engine.dispose()
    assert ("record employee-engagement 2025-Q3 71.5", "tester") in messages


def test_record_refuses_bad_input_and_changes_nothing(demo: Path) -> None:
    code, output = run("record", "employee-engagement", "2025-10", "n/a")
    assert code == 1
    assert "period: '2025-10' is a month, expected a quarter period" in output
    assert "value: 'n/a' is not a number" in output
    assert "error: 2 problems; nothing was recorded" in output
    code, output = run("record", "employee-engagement", "2025-Q3")
    assert code == 1 and "give KPI PERIOD VALUE" in output
    code, output = run("record", "employee-engagement", "2025-Q3", "1", "--import", "x.csv")
    assert code == 1 and "not both" in output


def test_record_import(demo: Path) -> None:
    good = demo / "values.csv"
    good.write_text(
        "kpi,period,value,note\nemployee-engagement,2025-Q2,70,\n"
        "employee-engagement,2025-Q3,72,after the offsite\n"
    )
    code, output = run("record", "--import", "values.csv")
    assert code == 0, output
    assert "Recorded 2 values (2 new, 0 revised) as change set" in output
    bad = demo / "bad.csv"
    bad.write_text("kpi,period,value\nemployee-engagement,2025-Q4,1\nrevenue,2025-10,5\n")
    code, output = run("record", "--import", "bad.csv")
    assert code == 1
    assert "bad.csv:3:1: kpi: KPI 'revenue' takes its values from a query" in output
    assert "nothing was recorded" in output
