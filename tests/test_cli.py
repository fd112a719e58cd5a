"""The aligna command as a user runs it: init, validate, plan, apply, export, map."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from aligna import cli
from aligna.cli import app
from helpers import edit

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    """Run the command with a wide terminal; return its exit code and output."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `aligna init` project, with the current folder inside it."""
    # A wide terminal, so that the map's columns do not wrap the words the tests look for.
    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.errors, "width", 400)
    for name in ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL", "ALIGNA_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "org"
    code, output = run("init", str(folder))
    assert code == 0, output
    monkeypatch.chdir(folder)
    return folder


def test_init_validate_plan_apply_map_export(project: Path, tmp_path: Path) -> None:
    code, output = run("validate")
    assert code == 0 and "valid" in output
    code, output = run("plan")
    assert code == 0
    assert "people" in output and "add" in output and "monthly-revenue" in output
    code, output = run("apply", "-m", "first version")
    assert code == 0, output
    assert "Applied as change set 1" in output
    assert (project / "aligna.db").exists()
    code, output = run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes" in output
    code, output = run("map")
    assert code == 0, output
    for words in (
        "Alignment Map",
        "Mission",
        "repair what others throw away",
        "Order to cash",
        "Monthly revenue",
        "Ines Park",
        "Online parts shop",
        "mission gap: customers",
        "Candour",
        "initiatives expect to contribute 200 kEUR (1 tied)",
    ):
        assert words in output, words
    code, output = run("export", str(tmp_path / "exported"))
    assert code == 0, output
    assert (tmp_path / "exported" / "kpis.yaml").exists()


def test_commands_find_the_project_from_a_subfolder_or_by_option(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "notes" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "notes" / "deep")
    assert run("apply", "-m", "from below")[0] == 0
    monkeypatch.chdir(tmp_path)
    code, output = run("map")
    assert code == 1 and "no project found" in output
    assert run("--project", str(project), "map")[0] == 0
    monkeypatch.setenv("ALIGNA_PROJECT", str(project))
    assert run("map")[0] == 0


def test_database_url_from_the_environment_wins_over_aligna_toml(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.db"
    monkeypatch.setenv("ALIGNA_DATABASE_URL", f"sqlite:///{other}")
    assert run("apply", "-m", "elsewhere")[0] == 0
    assert other.exists() and not (project / "aligna.db").exists()


def test_plan_detailed_exitcode_and_audit_actor(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNA_ACTOR", "strategy-office:ada")
    assert run("plan", "--detailed-exitcode")[0] == 2
    output = run("apply", "-m", "first")[1]
    assert "by strategy-office:ada" in output
    engine = create_engine(f"sqlite:///{project / 'aligna.db'}")
    with engine.connect() as connection:
        actor, message = connection.execute(text("select actor, message from change_set")).one()
    assert (actor, message) == ("strategy-office:ada", "first")


def test_apply_needs_a_reason_and_refuses_invalid_projects(project: Path) -> None:
    code, output = run("apply")
    assert code == 1 and "--message" in output
    edit(
        project / "kpis.yaml",
        "    polarity: higher_is_better\n    frequency: month",
        "    polarity: upwards\n    frequency: month",
    )
    code, output = run("apply", "-m", "broken")
    assert code == 1
    assert "kpis.yaml:16:15: kpis[0].polarity: 'upwards' is not allowed" in output
    assert "nothing was changed" in output
    assert not (project / "aligna.db").exists()  # refused before the database was touched


def test_apply_refused_by_the_database_is_a_clean_error(project: Path) -> None:
    assert run("apply", "-m", "first")[0] == 0
    engine = create_engine(f"sqlite:///{project / 'aligna.db'}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE UPDATE ON kpi "
                "BEGIN SELECT RAISE(ABORT, 'KPIs are frozen for the audit'); END"
            )
        )
    edit(project / "kpis.yaml", "name: Monthly revenue", "name: Revenue")
    code, output = run("apply", "-m", "rename")
    assert code == 1
    assert "the database refused the apply, so nothing was changed" in output
    assert "KPIs are frozen for the audit" in output
    assert "Traceback" not in output


def test_map_before_any_apply_says_what_to_do(project: Path) -> None:
    code, output = run("map")
    assert code == 1 and "run aligna apply first" in output


def test_init_refuses_to_overwrite_a_project(project: Path) -> None:
    code, output = run("init", str(project))
    assert code == 1 and "already holds a project" in output


def test_map_filtered_by_unit(project: Path) -> None:
    run("apply", "-m", "first")
    code, output = run("map", "--unit", "sales")
    assert code == 0 and "Monthly revenue" in output and "Customer satisfaction" not in output
    code, output = run("map", "--unit", "nowhere")
    assert code == 1 and "unknown unit 'nowhere'" in output
