"""The evaluation commands on a small demo evaluated as of a fixed day, as JSON and tables."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aligna import cli
from aligna.cli import app
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.evaluate.service import evaluate_all
from aligna.files.service import apply_project, validate_project
from aligna.measure.refresh import refresh
from aligna.periods import parse_period
from aligna.settings import load_settings

DAY = date(2026, 6, 15)
STATUSES = {"on_track", "at_risk", "off_track", "no_data", "stale"}
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 20-person demo built, refreshed and evaluated as of 15 June 2026."""
    folder = tmp_path_factory.mktemp("eval") / "demo"
    build_demo_project(folder, people=20, seed=7, today=DAY)
    settings = load_settings(folder)
    engine = open_database(settings.resolved_database_url())
    with session_scope(engine) as session:
        apply_project(session, validate_project(folder), actor="t", message="demo")
    refresh(engine, settings, today=DAY)
    evaluate_all(engine, as_of=DAY)
    engine.dispose()
    return folder


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch, demo: Path) -> None:
    monkeypatch.setattr(cli.console, "width", 300)
    monkeypatch.setenv("ALIGNA_PROJECT", str(demo))
    monkeypatch.delenv("ALIGNA_DATABASE_URL", raising=False)


def run_json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_status_json_uses_the_documented_fields() -> None:
    report = run_json("status")
    kpis = report["kpis"]
    assert len(kpis) == 23  # every KPI with values (the manual one has none)
    for record in kpis:
        assert {
            "kpi",
            "unit",
            "period",
            "actual",
            "target",
            "red_flag",
            "stretch",
            "status",
            "score",
            "trend",
            "signals",
            "forecast",
        } <= set(record)
        assert record["status"] in STATUSES and record["unit"] is None
        assert parse_period(record["period"]).end < DAY  # only closed periods get a status
    assert {r["status"] for r in kpis} >= {"on_track", "at_risk", "off_track"}
    assert report["objectives"][0]["depth"] == 0
    assert all(0 <= o["coverage"] <= 1 for o in report["objectives"])


def test_kpi_show_lists_periods_up_to_the_partial_one() -> None:
    history = run_json("kpi", "show", "on-time-delivery")
    periods = [row["period"] for row in history]
    assert periods == sorted(periods) and periods[-1] == "2026-06"
    assert history[-1]["partial"] is True and history[-1]["status"] is None
    assert all(row["status"] in STATUSES for row in history[:-1])
    limits = [row for row in history if row["centre"] is not None]
    assert limits and all(r["lower_limit"] < r["centre"] < r["upper_limit"] for r in limits)


def test_person_and_unit_filters_and_unknown_ids() -> None:
    mine = run_json("status", "--person", "p-0001")["kpis"]
    assert 1 <= len(mine) <= 5
    result = runner.invoke(app, ["status", "--person", "p-9999"])
    assert result.exit_code == 1 and "unknown person 'p-9999'" in result.output
    result = runner.invoke(app, ["kpi", "show", "nothing-like-it"])
    assert result.exit_code == 1 and "unknown KPI 'nothing-like-it'" in result.output


def test_gaps_and_exceptions() -> None:
    gaps = run_json("gaps")
    assert len(gaps) == 4
    for gap in gaps:
        if gap["gap"] is not None:
            assert gap["uncovered"] == pytest.approx(max(0.0, gap["gap"] - gap["covered"]))
    exceptions = run_json("exceptions")
    assert exceptions and {e["kind"] for e in exceptions} <= {
        "off_track",
        "adverse_signal",
        "overdue_milestone",
        "stale",
    }
    assert all(e["closed_at"] is None and e["owner"] for e in exceptions)


def test_tables_show_status_words_not_colour_alone() -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "on track" in result.output and "off track" in result.output


def test_explain_shows_the_arithmetic_of_the_latest_closed_period() -> None:
    result = runner.invoke(app, ["explain", "on-time-delivery", "--as-of", "2026-06-15"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("On-time delivery (on-time-delivery) for the organisation, 2026-05")
    text = result.output
    for words in (
        "actual a =",
        "target t =",
        "red flag r =",
        "status ",
        "score ",
        "XmR baseline",
        "forecast:",
    ):
        assert words in text, words
    result = runner.invoke(app, ["explain", "no-such-kpi"])
    assert result.exit_code == 1 and "unknown KPI 'no-such-kpi'" in result.output


def test_unit_filter_gives_that_unit_its_slices() -> None:
    rows = run_json("status", "--unit", "region-north")["kpis"]
    assert rows and all(r["unit"] in ("region-north", None) for r in rows)
    revenue = [r for r in rows if r["kpi"] == "revenue" and r["unit"] == "region-north"]
    assert len(revenue) == 1
    # Its target is the company's scaled by its share of the last 12 periods with values.
    slice_history = run_json("kpi", "show", "revenue", "--unit", "region-north")
    company_history = {r["period"]: r for r in run_json("kpi", "show", "revenue")}
    recent = [r for r in slice_history if r["actual"] is not None][-12:]
    share = sum(r["actual"] for r in recent) / sum(
        company_history[r["period"]]["actual"] for r in recent
    )
    period = revenue[0]["period"]
    assert revenue[0]["target"] == pytest.approx(share * company_history[period]["target"])


def test_evaluate_again_finds_nothing_changed_and_full_evaluates_everything() -> None:
    again = run_json("evaluate", "--as-of", DAY.isoformat())
    assert again["incremental"] is True and again["kpis"] == 0
    assert again["reason"].startswith("nothing changed since evaluation")
    assert again["statuses"] and sum(again["statuses"].values()) == 23
    full = run_json("evaluate", "--as-of", DAY.isoformat(), "--full")
    assert full["incremental"] is False and full["reason"] == "a full evaluation was asked for"
    assert full["kpis"] == 24 and full["statuses"] == again["statuses"]
    assert full["exceptions"]["opened"] == 0 and full["exceptions"]["closed"] == 0
    table = runner.invoke(app, ["evaluate", "--as-of", DAY.isoformat()])
    assert table.exit_code == 0
    assert "Incremental evaluation" in table.output and "nothing changed" in table.output
