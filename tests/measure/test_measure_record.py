"""Manual values: validated, all or nothing, kept as revisions and audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from measure_support import (
    MONTHLY,
    TODAY,
    apply_to,
    connection,
    duckdb_warehouse,
    kpi,
    values,
    write_project,
)
from sqlalchemy import Engine, func, select

from aligna.db import open_database, session_scope
from aligna.measure import ManualValue, RecordError, read_import_file, record_values
from aligna.model import AuditEntry, ChangeSet, Observation
from aligna.model.base import utcnow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    duck = duckdb_warehouse(tmp_path / "warehouse.duckdb")
    return write_project(
        tmp_path,
        connections=[connection("warehouse", f"duckdb:///{duck}")],
        kpis=[
            kpi("mood", frequency="quarter"),
            kpi("visits", breakdown={"unit_kind": "team", "total": "sum"}),
            kpi("headcount", breakdown={"unit_kind": "team", "total": "none"}),
            kpi("sales", MONTHLY),
        ],
    )


def _record(engine: Engine, *entries: ManualValue, source: str = "manual") -> object:
    with session_scope(engine) as session:
        return record_values(
            session,
            list(entries),
            actor="tester",
            message="record test",
            source=source,
            today=TODAY,
        )


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_record_revise_and_audit(engine: Engine, project: Path) -> None:
    apply_to(engine, project)
    result = _record(engine, ManualValue("mood", "2025-Q4", "7.5", note="survey"))
    assert (result.new_values, result.revised_values, result.unchanged) == (1, 0, 0)
    assert values(engine, "mood") == [(None, "2025-Q4", 7.5, 1)]
    # the same value again writes nothing, not even a change set
    sets = _count(engine, ChangeSet)
    again = _record(engine, ManualValue("mood", "2025-Q4", "7.50"))
    assert (again.change_set_id, again.unchanged) == (None, 1)
    assert _count(engine, ChangeSet) == sets
    revised = _record(engine, ManualValue("mood", "2025-Q4", "8"))
    assert revised.revised_values == 1
    assert values(engine, "mood", current=False) == [
        (None, "2025-Q4", 7.5, 1),
        (None, "2025-Q4", 8.0, 2),
    ]
    with session_scope(engine) as session:
        change_set = session.get(ChangeSet, revised.change_set_id)
        assert (change_set.actor, change_set.message) == ("tester", "record test")
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.change_set_id == revised.change_set_id)
        ).one()
        assert (entry.entity_kind, entry.entity_id, entry.action) == (
            "observation",
            "mood/2025-Q4",
            "change",
        )
        assert entry.before == {
            "kpi": "mood",
            "unit": None,
            "period": "2025-Q4",
            "value": 7.5,
            "revision": 1,
        }
        assert entry.after["value"] == 8.0 and entry.after["revision"] == 2
        first = session.scalars(select(Observation).order_by(Observation.id)).first()
        assert (first.source, first.actor, first.note) == ("manual", "tester", "survey")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (ManualValue("nope", "2025-Q4", "1"), "kpi: 'nope' is not a KPI, expected the id of a KPI"),
        (
            ManualValue("sales", "2025-10", "1"),
            "kpi: KPI 'sales' takes its values from a query on connection 'warehouse', expected "
            "a manual KPI (source: manual); refresh it with aligna refresh",
        ),
        (
            ManualValue("mood", "2025-10", "1"),
            "period: '2025-10' is a month, expected a quarter period like 2026-Q1 (KPI 'mood' is "
            "measured by quarter)",
        ),
        (
            ManualValue("mood", "2026-Q2", "1"),
            "period: 2026-Q2 is in the future (today is 2026-01-15), expected a period that has "
            "started",
        ),
        (ManualValue("mood", "2025-Q4", "n/a"), "value: 'n/a' is not a number"),
        (ManualValue("mood", "2025-Q4", " "), "value: empty, expected a number"),
        (
            ManualValue("mood", "2025-Q4", "1", unit="team-a"),
            "unit: 'team-a' given, but KPI 'mood' is not broken down by unit, expected no unit",
        ),
        (
            ManualValue("visits", "2025-12", "1"),
            "unit: empty, expected the id of a team (KPI 'visits' makes its total from its "
            "units: total sum)",
        ),
        (
            ManualValue("visits", "2025-12", "1", unit="team-s"),
            "unit: 'team-s' is not a team inside 'ops', expected a unit that KPI 'visits' is "
            "broken down by",
        ),
    ],
)
def test_bad_values_are_refused_with_their_field(
    tmp_path: Path, project: Path, entry: ManualValue, problem: str
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    apply_to(engine, project)
    with pytest.raises(RecordError) as refused:
        _record(engine, entry)
    assert refused.value.problems == [problem]
    assert _count(engine, Observation) == 0


def test_units_of_a_broken_down_kpi(tmp_path: Path, project: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    apply_to(engine, project)
    _record(
        engine,
        ManualValue("visits", "2025-12", "3", unit="team-a"),
        ManualValue("headcount", "2025-12", "40"),  # its own total: no unit
        ManualValue("headcount", "2025-12", "25", unit="team-b"),
    )
    assert values(engine, "visits") == [("team-a", "2025-12", 3.0, 1)]
    assert values(engine, "headcount") == [
        (None, "2025-12", 40.0, 1),
        ("team-b", "2025-12", 25.0, 1),
    ]
    with engine.connect() as connection:
        ids = connection.execute(
            select(AuditEntry.entity_id)
            .where(AuditEntry.entity_kind == "observation")
            .order_by(AuditEntry.id)
        ).scalars()
        assert list(ids) == [
            "visits/team-a/2025-12",
            "headcount/2025-12",
            "headcount/team-b/2025-12",
        ]


def test_csv_import_all_or_nothing(tmp_path: Path, project: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    apply_to(engine, project)
    good = tmp_path / "good.csv"
    good.write_text(
        "kpi,period,unit,value,note\nmood,2025-Q3,,7,from the survey\n\nvisits,2025-11,team-b,12,\n"
    )
    entries = read_import_file(good, "good.csv")
    result = _record(engine, *entries, source="import")
    assert (result.new_values, result.revised_values) == (2, 0)
    assert values(engine, "visits") == [("team-b", "2025-11", 12.0, 1)]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kpi,period,value\n"
        "mood,2025-Q4,8\n"  # fine, but the file has errors, so it is not written either
        "mood,2025-13,x\n"
        "ghost,2025-Q4,1\n"
        "mood,2025-Q4,9\n"
    )
    with pytest.raises(RecordError) as refused:
        _record(engine, *read_import_file(bad, "bad.csv"))
    assert refused.value.problems == [
        "bad.csv:3:6: period: '2025-13' is not a quarter period, expected a period like 2026-Q1",
        "bad.csv:3:14: value: 'x' is not a number",
        "bad.csv:4:1: kpi: 'ghost' is not a KPI, expected the id of a KPI",
        "bad.csv:5:6: period: mood 2025-Q4 is given again (first at line 2), expected one value "
        "per period",
    ]
    assert values(engine, "mood") == [(None, "2025-Q3", 7.0, 1)]


def test_unreadable_import_files(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match=r"^missing\.csv: no such file"):
        read_import_file(tmp_path / "missing.csv", "missing.csv")
    header_only = tmp_path / "empty.csv"
    header_only.write_text("kpi,period,value\n")
    with pytest.raises(RecordError, match=r"empty\.csv:2:1: row: no values"):
        read_import_file(header_only, "empty.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("kpi,when,value\nmood,2025-Q4,1\n")
    with pytest.raises(RecordError) as refused:
        read_import_file(wrong, "wrong.csv")
    assert refused.value.problems == [
        "wrong.csv:1:1: header: missing column 'period', expected columns kpi, period, unit, "
        "value, note",
        "wrong.csv:1:5: when: unknown column 'when', expected columns kpi, period, unit, value, "
        "note",
    ]


def test_taken_at_is_the_time_of_recording(tmp_path: Path, project: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    apply_to(engine, project)
    before = utcnow()
    _record(engine, ManualValue("mood", "2025-Q4", "1"))
    with session_scope(engine) as session:
        taken = session.scalars(select(Observation.taken_at)).one()
    assert before <= taken <= utcnow()
