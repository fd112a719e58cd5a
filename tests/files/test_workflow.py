"""Validate, plan, apply and export on both databases, with hand-counted expectations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from aligna import model as m
from aligna.db import session_scope
from aligna.files.plan import Action
from aligna.files.service import apply_project, export_project, plan_project, validate_project
from helpers import copy_template, dump_database, edit

# What the example project declares, counted by hand from src/aligna/files/templates.
TEMPLATE_COUNTS = {
    "foundation": 1,
    "value": 1,
    "unit": 2,
    "person": 2,
    "connection": 1,
    "process": 1,
    "objective": 2,
    "kpi": 2,
    "vision_target": 1,
    "initiative": 1,
    "scorecard": 2,
    "business_scorecard": 2,
    "escalation_rule": 0,  # the template has no channels.yaml
    "apprise_destination": 0,
}


def _apply(engine: Engine, folder: Path, message: str = "test"):  # type: ignore[no-untyped-def]
    validation = validate_project(folder)
    assert validation.ok, [str(p) for p in validation.problems]
    with session_scope(engine) as session:
        return apply_project(session, validation, actor="tester", message=message)


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_first_apply_adds_every_entity_and_audits_it(engine: Engine, tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    plan, _ = _apply(engine, folder)
    assert {k: len(v) for k, v in plan.changes.items()} == TEMPLATE_COUNTS
    assert all(c.action is Action.add for c in plan.all())
    assert _count(engine, m.Person) == 2
    assert _count(engine, m.ScorecardItem) == 5
    assert _count(engine, m.BusinessScorecardItem) == 2
    assert _count(engine, m.KpiObjective) == 2
    assert _count(engine, m.Milestone) == 1
    assert _count(engine, m.InitiativeContribution) == 2
    assert _count(engine, m.ChangeSet) == 1
    assert _count(engine, m.AuditEntry) == sum(TEMPLATE_COUNTS.values()) == 18
    with engine.connect() as connection:
        change_set = connection.execute(select(m.ChangeSet)).one()
        assert (change_set.actor, change_set.message) == ("tester", "test")
        kpi = connection.execute(select(m.Kpi).where(m.Kpi.slug == "monthly-revenue")).one()
        assert (kpi.polarity, kpi.frequency, kpi.aggregation) == (
            "higher_is_better",
            "month",
            "sum",
        )
        assert (kpi.red_flag_offset, kpi.stretch_offset) == ("-10%", "+5%")
        assert (kpi.baseline_period, kpi.baseline_value, kpi.target_by) == (
            "2025-12",
            500,
            "2032-12",
        )
        manual = connection.execute(
            select(m.Kpi).where(m.Kpi.slug == "customer-satisfaction")
        ).one()
        assert manual.source_manual and manual.connection_id is None
        # Without a unit of its own, a KPI belongs to its owner's unit.
        unit = connection.execute(select(m.Unit.slug).where(m.Unit.id == manual.unit_id)).scalar()
        assert unit == "example-co"


def test_second_plan_is_empty_and_second_apply_records_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    folder = copy_template(tmp_path / "project")
    _apply(engine, folder)
    plan, result = _apply(engine, folder)
    assert plan.empty and result.change_set_id is None
    assert _count(engine, m.ChangeSet) == 1


def test_export_apply_export_is_byte_identical(engine: Engine, tmp_path: Path) -> None:
    _apply(engine, copy_template(tmp_path / "project"))
    first, second = tmp_path / "first", tmp_path / "second"
    with session_scope(engine) as session:
        export_project(session, first)
    plan, _ = _apply(engine, first)
    assert plan.empty
    with session_scope(engine) as session:
        export_project(session, second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert "kpis.yaml" in names and "scorecards.csv" in names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_change_is_planned_field_by_field_and_audited(engine: Engine, tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    _apply(engine, folder)
    edit(folder / "kpis.yaml", "name: Monthly revenue", "name: Monthly net revenue")
    edit(
        folder / "scorecards.csv",
        "p-ines,kpi,monthly-revenue,,accountable,2",
        "p-ines,kpi,monthly-revenue,,accountable,3",
    )
    plan, result = _apply(engine, folder, "rename revenue")
    changes = plan.all()
    assert [(c.kind, c.key, c.action, c.fields) for c in changes] == [
        ("kpi", "monthly-revenue", Action.change, ("name",)),
        ("scorecard", "p-ines", Action.change, ("items",)),
    ]
    with engine.connect() as connection:
        entry = connection.execute(
            select(m.AuditEntry).where(
                m.AuditEntry.change_set_id == result.change_set_id,
                m.AuditEntry.entity_kind == "kpi",
            )
        ).one()
        assert entry.before["name"] == "Monthly revenue"
        assert entry.after["name"] == "Monthly net revenue"
        weights = (
            connection.execute(
                select(m.ScorecardItem.weight)
                .join(m.Person)
                .where(m.Person.slug == "p-ines")
                .order_by(m.ScorecardItem.position)
            )
            .scalars()
            .all()
        )
        assert weights == [3, 1]


def test_removing_archives_and_adding_back_restores(engine: Engine, tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    _apply(engine, folder)
    original = (folder / "initiatives.yaml").read_text()
    scorecards = (folder / "scorecards.csv").read_text()
    (folder / "initiatives.yaml").unlink()
    (folder / "scorecards.csv").write_text(
        "".join(
            line for line in scorecards.splitlines(keepends=True) if "online-parts-shop" not in line
        )
    )
    plan, _ = _apply(engine, folder, "drop the shop")
    assert [(c.kind, c.key, c.action) for c in plan.all()] == [
        ("initiative", "online-parts-shop", Action.remove),
        ("scorecard", "p-ada", Action.change),
        ("scorecard", "p-ines", Action.change),
    ]
    with engine.connect() as connection:
        archived = connection.execute(select(m.Initiative.archived_at)).scalar_one()
        assert archived is not None  # archived, not deleted: its history stays
        assert connection.execute(select(func.count()).select_from(m.Milestone)).scalar() == 1
    (folder / "initiatives.yaml").write_text(original)
    (folder / "scorecards.csv").write_text(scorecards)
    plan, _ = _apply(engine, folder, "bring it back")
    assert ("initiative", "online-parts-shop", Action.restore) in [
        (c.kind, c.key, c.action) for c in plan.all()
    ]
    with engine.connect() as connection:
        assert connection.execute(select(m.Initiative.archived_at)).scalar_one() is None


def test_a_failed_apply_leaves_the_database_exactly_as_it_was(
    engine: Engine, tmp_path: Path, database_url: str
) -> None:
    folder = copy_template(tmp_path / "project")
    _apply(engine, folder)
    edit(folder / "people.csv", "Ines Park", "Ines Park-Lee")
    with open(folder / "people.csv", "a") as stream:
        stream.write("p-otto,Otto Berg,otto@example.com,Sales Rep,sales,p-ines,\n")
    with open(folder / "scorecards.csv", "a") as stream:
        stream.write("p-otto,kpi,monthly-revenue,,contributor,1\n")
    # A real failure late in the apply: the database itself refuses scorecard items.
    with engine.begin() as connection:
        if database_url.startswith("sqlite"):
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON scorecard_item "
                    "BEGIN SELECT RAISE(ABORT, 'scorecards are frozen'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'scorecards are frozen'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON scorecard_item "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    before = dump_database(engine)
    with pytest.raises(Exception, match="scorecards are frozen"):
        _apply(engine, folder, "add otto")
    assert dump_database(engine) == before


def test_unit_slices_and_team_memberships_round_trip(engine: Engine, tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    with open(folder / "units.csv", "a") as stream:
        stream.write("north,North team,team,sales\nsouth,South team,team,sales\n")
    edit(
        folder / "people.csv",
        "p-ines,Ines Park,ines@example.com,Head of Sales,sales,p-ada,",
        "p-ines,Ines Park,ines@example.com,Head of Sales,sales,p-ada,north;south",
    )
    edit(
        folder / "kpis.yaml",
        "    process: order-to-cash\n",
        "    process: order-to-cash\n    breakdown: {unit_kind: team, total: sum}\n",
    )
    with open(folder / "scorecards.csv", "a") as stream:
        stream.write("p-ada,kpi,monthly-revenue,north,influencer,0.5\n")
    _apply(engine, folder)
    exported = tmp_path / "exported"
    with session_scope(engine) as session:
        export_project(session, exported)
    people = (exported / "people.csv").read_text()
    assert "p-ines,Ines Park,ines@example.com,Head of Sales,sales,p-ada,north;south\n" in people
    assert (
        "p-ada,kpi,monthly-revenue,north,influencer,0.5\n"
        in (exported / "scorecards.csv").read_text()
    )
    assert "breakdown: {unit_kind: team, total: sum}" in (exported / "kpis.yaml").read_text()
    with session_scope(engine) as session:
        assert plan_project(session, validate_project(exported)).empty


def test_every_target_a_kpi_was_given_is_kept_with_its_change_set(
    engine: Engine, tmp_path: Path
) -> None:
    folder = copy_template(tmp_path / "project")
    _, first = _apply(engine, folder)
    edit(folder / "kpis.yaml", "      value: 1500\n", "      value: 1800\n")
    edit(folder / "kpis.yaml", "name: Monthly revenue", "name: Revenue")  # not a target change
    _, second = _apply(engine, folder, "raise the bar")
    with engine.connect() as connection:
        versions = connection.execute(
            select(m.Kpi.slug, m.KpiTargetVersion.change_set_id, m.KpiTargetVersion.target)
            .join(m.Kpi, m.Kpi.id == m.KpiTargetVersion.kpi_id)
            .order_by(m.KpiTargetVersion.id)
        ).all()
    by_kpi = [(slug, change_set) for slug, change_set, _ in versions]
    assert sorted(by_kpi[:2]) == [
        ("customer-satisfaction", first.change_set_id),
        ("monthly-revenue", first.change_set_id),
    ]
    assert by_kpi[2:] == [("monthly-revenue", second.change_set_id)]
    assert versions[2].target["value"] == 1800
    assert versions[2].target["red_flag"] == {"offset": "-10%"}


def test_restrictions_apply_plan_and_round_trip(engine: Engine, tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    edit(
        folder / "kpis.yaml",
        "    owner: p-ada\n    source: manual\n",
        "    owner: p-ada\n    restricted_to: {people: [p-ines], units: [sales]}\n"
        "    source: manual\n",
    )
    edit(
        folder / "initiatives.yaml",
        "    mission_gap: customers\n",
        "    mission_gap: customers\n    restricted_to: {units: [example-co]}\n",
    )
    _apply(engine, folder)
    with engine.connect() as connection:
        kpi_rows = connection.execute(
            text(
                "select p.slug, u.slug from kpi_access a join kpi k on k.id = a.kpi_id "
                "left join person p on p.id = a.person_id left join unit u on u.id = a.unit_id "
                "where k.slug = 'customer-satisfaction' order by a.id"
            )
        ).all()
        initiative_rows = connection.execute(
            text("select unit_id, person_id from initiative_access")
        ).all()
    assert [tuple(r) for r in kpi_rows] == [("p-ines", None), (None, "sales")]
    assert len(initiative_rows) == 1 and initiative_rows[0][1] is None
    exported = tmp_path / "exported"
    with session_scope(engine) as session:
        assert plan_project(session, validate_project(folder)).empty
        export_project(session, exported)
    exported_kpis = (exported / "kpis.yaml").read_text()
    assert "    restricted_to:\n      people: [p-ines]\n      units: [sales]\n" in exported_kpis
    with session_scope(engine) as session:
        assert plan_project(session, validate_project(exported)).empty
    # Lifting the restriction is a planned change, and the access rows go.
    edit(folder / "kpis.yaml", "    restricted_to: {people: [p-ines], units: [sales]}\n", "")
    with session_scope(engine) as session:
        plan = plan_project(session, validate_project(folder))
    changed = [c for c in plan.changes["kpi"] if c.action is Action.change]
    assert [c.key for c in changed] == ["customer-satisfaction"]
    _apply(engine, folder)
    assert _count(engine, m.KpiAccess) == 0 and _count(engine, m.InitiativeAccess) == 1


def test_a_restriction_must_name_someone_who_exists(tmp_path: Path) -> None:
    folder = copy_template(tmp_path / "project")
    edit(
        folder / "kpis.yaml",
        "    owner: p-ada\n    source: manual\n",
        "    owner: p-ada\n    restricted_to: {people: [p-nobody, p-ines, p-ines]}\n"
        "    source: manual\n",
    )
    edit(
        folder / "initiatives.yaml",
        "    mission_gap: customers\n",
        "    mission_gap: customers\n    restricted_to: {}\n",
    )
    problems = [str(p) for p in validate_project(folder).problems]
    assert any("kpis[1].restricted_to.people[0]" in p and "p-nobody" in p for p in problems)
    assert any("kpis[1].restricted_to.people[2]: listed twice" in p for p in problems)
    assert any("initiatives[0].restricted_to: names nobody" in p for p in problems), problems
