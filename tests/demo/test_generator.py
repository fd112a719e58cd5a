"""The demo organisation generator: determinism, limits, structure, and queries that run."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ruamel.yaml import YAML

from aligna.demo import DemoSummary, build_demo_project
from aligna.periods import Frequency, parse_period

TODAY = date(2026, 3, 18)
PROJECT_FILES = (
    "aligna.toml",
    "foundation.yaml",
    "connections.yaml",
    "processes.yaml",
    "objectives.yaml",
    "kpis.yaml",
    "initiatives.yaml",
    "units.csv",
    "people.csv",
    "scorecards.csv",
    "business_scorecards.csv",
)
PERIOD_PATTERNS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "week": re.compile(r"^\d{4}-W\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
}
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _build(directory: Path, people: int, seed: int = 7) -> DemoSummary:
    return build_demo_project(directory, people=people, seed=seed, today=TODAY)


@pytest.fixture(scope="module")
def demo20(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    directory = tmp_path_factory.mktemp("demo20")
    return directory, _build(directory, 20)


@pytest.fixture(scope="module")
def demo500(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    directory = tmp_path_factory.mktemp("demo500")
    return directory, _build(directory, 500)


def _yaml(directory: Path, name: str) -> Any:
    return YAML(typ="safe").load((directory / f"{name}.yaml").read_text(encoding="utf-8"))


def _csv(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        return {n: con.execute(f"select * from {n}").fetchall() for n in sorted(names)}
    finally:
        con.close()


def _depth(parents: dict[str, str | None]) -> int:
    def level(node: str) -> int:
        steps = 1
        while parents[node] is not None:
            node = parents[node]  # type: ignore[assignment]
            steps += 1
            assert steps <= len(parents), "cycle"
        return steps

    return max(level(n) for n in parents)


def _inside(unit: str, ancestor: str, units: dict[str, dict[str, str]]) -> bool:
    node: str | None = unit
    while node:
        if node == ancestor:
            return True
        node = units[node]["parent"] or None
    return False


# --- determinism and limits ------------------------------------------------------------------


def test_same_seed_and_day_give_identical_files_and_warehouse(tmp_path: Path) -> None:
    first, second = _build(tmp_path / "a", 60, seed=11), _build(tmp_path / "b", 60, seed=11)
    assert first.warehouse_rows == second.warehouse_rows > 10_000
    for name in PROJECT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    a, b = (
        _tables(tmp_path / "a" / "warehouse.duckdb"),
        _tables(tmp_path / "b" / "warehouse.duckdb"),
    )
    assert list(a) == sorted(first.warehouse_tables)
    for table in a:
        assert a[table] == b[table], table


def test_another_seed_gives_another_company(tmp_path: Path) -> None:
    _build(tmp_path / "a", 60, seed=11)
    _build(tmp_path / "b", 60, seed=12)
    assert (tmp_path / "a" / "people.csv").read_text() != (
        tmp_path / "b" / "people.csv"
    ).read_text()
    a, b = (
        _tables(tmp_path / "a" / "warehouse.duckdb"),
        _tables(tmp_path / "b" / "warehouse.duckdb"),
    )
    assert a["orders"] != b["orders"]
    assert a["org_units"] == b["org_units"]  # the shape of the company depends on its size only


@pytest.mark.parametrize("people", [19, 100_001, 0, -5])
def test_headcount_outside_20_to_100000_is_refused(tmp_path: Path, people: int) -> None:
    with pytest.raises(ValueError, match=r"between 20 and 100,000"):
        build_demo_project(tmp_path / "demo", people=people, today=TODAY)
    assert not (tmp_path / "demo").exists()


def test_interrupted_warehouse_build_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aligna.demo import data_people

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(data_people, "training_table", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _build(tmp_path, 20)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_progress_is_reported_in_order_up_to_done(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    build_demo_project(tmp_path, people=20, today=TODAY, progress=lambda s, f: seen.append((s, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert seen[0] == ("organisation", 0.0) and seen[-1] == ("done", 1.0)
    assert {"warehouse", "targets", "files"} <= {s for s, _ in seen}


# --- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_organisation_is_a_deep_tree_with_managers(fixture: str, request: Any) -> None:
    directory, summary = request.getfixturevalue(fixture)
    units = {u["id"]: u for u in _csv(directory, "units")}
    people = {p["id"]: p for p in _csv(directory, "people")}
    assert len(people) == summary.people == int(fixture.removeprefix("demo"))
    assert len(units) == summary.units
    assert all(SLUG.match(u) for u in units) and all(SLUG.match(p) for p in people)
    roots = [u for u in units.values() if not u["parent"]]
    assert len(roots) == 1 and roots[0]["kind"] == "company"
    assert all(u["parent"] in units for u in units.values() if u["parent"])
    assert _depth({u: units[u]["parent"] or None for u in units}) == summary.unit_levels >= 4
    assert {"company", "division", "department", "team"} <= {u["kind"] for u in units.values()}
    without_manager = [p for p in people.values() if not p["manager"]]
    assert [p["position"] for p in without_manager] == ["Chief Executive Officer"]
    assert all(p["manager"] in people for p in people.values() if p["manager"])
    assert _depth({p: people[p]["manager"] or None for p in people}) >= 3  # no cycles
    assert all(p["unit"] in units and p["position"] for p in people.values())
    extra = [t for p in people.values() for t in p["teams"].split(";") if t]
    assert extra and all(t in units for t in extra)
    emails = [p["email"].lower() for p in people.values()]
    assert len(set(emails)) == len(emails)


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_strategy_references_resolve(fixture: str, request: Any) -> None:
    directory, summary = request.getfixturevalue(fixture)
    units = {u["id"] for u in _csv(directory, "units")}
    people = {p["id"] for p in _csv(directory, "people")}
    foundation = _yaml(directory, "foundation")
    processes = {p["id"]: p for p in _yaml(directory, "processes")["processes"]}
    objectives = {o["id"]: o for o in _yaml(directory, "objectives")["objectives"]}
    kpis = {k["id"]: k for k in _yaml(directory, "kpis")["kpis"]}
    initiatives = _yaml(directory, "initiatives")["initiatives"]
    targets = {t["id"]: t for t in foundation["vision"]["targets"]}
    assert foundation["mission"].strip() and foundation["vision"]["statement"].strip()
    assert TODAY.year + 6 <= foundation["vision"]["horizon"] <= TODAY.year + 8
    assert 3 <= len(targets) == summary.vision_targets <= 5
    assert all(
        t["kpi"] in kpis and t["projection"] in ("compound", "linear") for t in targets.values()
    )
    assert all(p["owner"] in people and p["unit"] in units for p in processes.values())
    children: Counter[str] = Counter()
    for objective in objectives.values():
        assert objective["owner"] in people and objective["unit"] in units
        assert objective["parent"] is None or objective["parent"] in objectives
        children[objective["parent"]] += 1
        assert all(v["vision_target"] in targets for v in objective.get("vision_targets", []))
    assert _depth({o: objectives[o]["parent"] for o in objectives}) == summary.objective_levels >= 3
    assert all(o.get("vision_targets") for o in objectives.values() if o["parent"] is None)
    for kpi in kpis.values():
        assert kpi["owner"] in people and kpi["unit"] in units
        assert kpi.get("process") is None or kpi["process"] in processes
        for link in kpi["objectives"]:
            assert link["objective"] in objectives and link["weight"] > 0
            children[link["objective"]] += 1
        for influencer in kpi["influencers"]:
            assert influencer.get("person", "p") in people | {"p"}
            assert influencer.get("unit", "u") in units | {"u"}
    for initiative in initiatives:
        assert initiative["owner"] in people and initiative["unit"] in units
        assert set(initiative["contributors"]) <= people
        assert initiative["start"] <= initiative["end"] and initiative["budget"] > 0
        assert all(m["due"] <= initiative["end"] for m in initiative["milestones"])
        for link in initiative["contributes"]:
            if "objective" in link:
                assert link["objective"] in objectives
                children[link["objective"]] += 1
            else:
                assert link["vision_target"] in targets and link["expected"] > 0
    assert all(children[o] > 0 for o in objectives), "an objective with nothing under it"


def test_the_demo_shows_every_kind_of_kpi_and_initiative(demo500: tuple[Path, Any]) -> None:
    directory, _ = demo500
    kpis = _yaml(directory, "kpis")["kpis"]
    initiatives = _yaml(directory, "initiatives")["initiatives"]
    assert {k["polarity"] for k in kpis} == {"higher_is_better", "lower_is_better", "within_range"}
    assert {k["frequency"] for k in kpis} == {"day", "week", "month", "quarter"}
    assert {k["aggregation"] for k in kpis} == {"sum", "mean", "last"}
    assert any(k["source"] == "manual" for k in kpis)
    assert sum("breakdown" in k for k in kpis) >= 3
    influence = [i for k in kpis for i in k["influencers"]]
    assert {i["kind"] for i in influence} == {"lateral", "vertical", "cross_functional"}
    assert any("person" in i for i in influence) and any("unit" in i for i in influence)
    trajectories = [k["target"] for k in kpis if k["polarity"] != "within_range"]
    assert {t["shape"] for t in trajectories} == {"linear", "compound"}
    assert any("overrides" in t for t in trajectories)
    assert any("value" in t["red_flag"] for t in trajectories)
    assert any("offset" in t["red_flag"] for t in trajectories)
    milestones = [m for i in initiatives for m in i["milestones"]]
    done = [m for m in milestones if m["percent_complete"] == 100 and m["due"] < TODAY]
    overdue = [m for m in milestones if m["percent_complete"] < 100 and m["due"] < TODAY]
    ahead = [m for m in milestones if m["due"] > TODAY]
    assert done and overdue and ahead
    assert sum("mission_gap" in i for i in initiatives) >= 2


def _offset_value(threshold: dict[str, Any], target: float) -> float:
    if "value" in threshold:
        return float(threshold["value"])
    text = str(threshold["offset"])
    return target + (float(text[:-1]) / 100 * abs(target) if text.endswith("%") else float(text))


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_thresholds_are_consistent(fixture: str, request: Any) -> None:
    directory, _ = request.getfixturevalue(fixture)
    for kpi in _yaml(directory, "kpis")["kpis"]:
        target = kpi["target"]
        if kpi["polarity"] == "within_range":
            band, red = target["band"], target["red_band"]
            assert red["lo"] <= band["lo"] <= band["hi"] <= red["hi"]
            for o in target.get("overrides", []):
                assert o["red_lo"] <= o["lo"] <= o["hi"] <= o["red_hi"]
            continue
        sign = 1 if kpi["polarity"] == "higher_is_better" else -1
        for t in (target["baseline"]["value"], target["value"]):
            red = _offset_value(target["red_flag"], t)
            assert sign * (t - red) >= 0, kpi["id"]
            if "stretch" in target:
                assert sign * (_offset_value(target["stretch"], t) - t) > 0, kpi["id"]
        for o in target.get("overrides", []):
            assert (
                sign * (o["target"] - o["red_flag"]) >= 0
                and sign * (o["stretch"] - o["target"]) > 0
            )
        assert parse_period(str(target["baseline"]["period"]), Frequency(kpi["frequency"]))
        assert parse_period(str(target["by"]), Frequency(kpi["frequency"]))


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_everyone_has_three_to_five_items_that_resolve(fixture: str, request: Any) -> None:
    directory, summary = request.getfixturevalue(fixture)
    units = {u["id"]: u for u in _csv(directory, "units")}
    people = {p["id"] for p in _csv(directory, "people")}
    kpis = {k["id"]: k for k in _yaml(directory, "kpis")["kpis"]}
    initiatives = {i["id"]: i for i in _yaml(directory, "initiatives")["initiatives"]}
    rows = _csv(directory, "scorecards")
    assert len(rows) == summary.scorecard_items
    counts = Counter(r["person"] for r in rows)
    assert set(counts) == people and all(3 <= n <= 5 for n in counts.values())
    keys = [(r["person"], r["kind"], r["item"], r["unit"]) for r in rows]
    assert len(set(keys)) == len(keys)
    for row in rows:
        assert (
            row["role"] in ("accountable", "contributor", "influencer") and float(row["weight"]) > 0
        )
        if row["kind"] == "initiative":
            assert row["item"] in initiatives and not row["unit"]
            continue
        kpi = kpis[row["item"]]
        if row["unit"]:  # a slice: a unit of the breakdown's kind inside the KPI's unit
            assert units[row["unit"]]["kind"] == kpi["breakdown"]["unit_kind"]
            assert _inside(row["unit"], kpi["unit"], units)
    accountable = {
        (r["person"], r["item"]) for r in rows if r["role"] == "accountable" and not r["unit"]
    }
    owned = [*kpis.values(), *initiatives.values()]
    assert all((item["owner"], item["id"]) in accountable for item in owned)


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_every_unit_has_a_business_scorecard_of_its_own_kpis(fixture: str, request: Any) -> None:
    directory, summary = request.getfixturevalue(fixture)
    units = {u["id"]: u for u in _csv(directory, "units")}
    kpis = {k["id"]: k for k in _yaml(directory, "kpis")["kpis"]}
    rows = _csv(directory, "business_scorecards")
    assert len(rows) == summary.business_scorecard_items
    assert {r["unit"] for r in rows} == set(units)
    assert len({(r["unit"], r["kpi"]) for r in rows}) == len(rows)
    for row in rows:
        kpi = kpis[row["kpi"]]
        if "breakdown" in kpi and row["unit"] != kpi["unit"]:
            assert units[row["unit"]]["kind"] == kpi["breakdown"]["unit_kind"]
            assert _inside(row["unit"], kpi["unit"], units)


# --- the warehouse ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["demo20", "demo500"])
def test_every_kpi_query_returns_periods_up_to_yesterday(fixture: str, request: Any) -> None:
    directory, _ = request.getfixturevalue(fixture)
    units = {u["id"]: u for u in _csv(directory, "units")}
    kpis = [k for k in _yaml(directory, "kpis")["kpis"] if k["source"] != "manual"]
    assert len(kpis) >= 20
    con = duckdb.connect(
        str(directory / "warehouse.duckdb"),
        read_only=True,
        config={"enable_external_access": False},
    )
    try:
        for kpi in kpis:
            assert kpi["source"]["connection"] == "warehouse"
            result = con.execute(kpi["source"]["query"])
            columns = [d[0] for d in result.description]
            rows = result.fetchall()
            broken_down = "breakdown" in kpi
            assert columns == (["period", "unit", "value"] if broken_down else ["period", "value"])
            assert len(rows) >= 4, kpi["id"]
            frequency = Frequency(kpi["frequency"])
            for row in rows:
                period, value = row[0], row[-1]
                assert PERIOD_PATTERNS[kpi["frequency"]].match(period), (kpi["id"], period)
                assert parse_period(period, frequency).start < TODAY, (kpi["id"], period)
                assert isinstance(value, int | float), (kpi["id"], row)
                if broken_down:
                    unit = units[row[1]]
                    assert unit["kind"] == kpi["breakdown"]["unit_kind"], (kpi["id"], row)
                    assert _inside(row[1], kpi["unit"], units), (kpi["id"], row)
    finally:
        con.close()


def test_warehouse_holds_three_years_of_days_ending_yesterday(demo500: tuple[Path, Any]) -> None:
    directory, summary = demo500
    con = duckdb.connect(str(directory / "warehouse.duckdb"), read_only=True)
    try:
        first, last = con.execute("select min(day), max(day) from calendar").fetchone()
        ordered = con.execute("select min(ordered_on), max(ordered_on) from orders").fetchone()
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        rows = sum(con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables)
        orphans = con.execute(
            "select count(*) from orders o left join org_units u on u.id = o.sales_team "
            "where u.id is null"
        ).fetchone()[0]
    finally:
        con.close()
    assert last == ordered[1] == TODAY - timedelta(days=1)
    assert first <= date(TODAY.year - 3, TODAY.month, TODAY.day) and first == ordered[0]
    assert sorted(tables) == sorted(summary.warehouse_tables) and len(tables) >= 10
    assert rows == summary.warehouse_rows
    assert orphans == 0


def _latest_status(kpi: dict[str, Any], con: duckdb.DuckDBPyConnection) -> str:
    """The status of the latest closed period, by DESIGN.md's rules (organisation level)."""
    frequency = Frequency(kpi["frequency"])
    values: dict[str, list[float]] = {}
    for row in con.execute(kpi["source"]["query"]).fetchall():
        values.setdefault(row[0], []).append(row[-1])
    total = (kpi.get("breakdown") or {}).get("total", "sum")
    closed = sorted(
        (parse_period(p, frequency), sum(v) if total == "sum" else sum(v) / len(v))
        for p, v in values.items()
    )
    period, actual = [pv for pv in closed if pv[0].end < TODAY][-1]
    target = kpi["target"]
    if kpi["polarity"] == "within_range":
        band, red = target["band"], target["red_band"]
        if band["lo"] <= actual <= band["hi"]:
            return "on track"
        return "off track" if not red["lo"] <= actual <= red["hi"] else "at risk"

    def position(text: str) -> int:
        start = parse_period(str(text), frequency).start
        return {
            Frequency.day: start.toordinal(),
            Frequency.week: start.toordinal() // 7,
            Frequency.month: start.year * 12 + start.month,
            Frequency.quarter: start.year * 4 + start.month // 3,
        }[frequency]

    base, final = target["baseline"]["value"], target["value"]
    x = (position(str(period)) - position(target["baseline"]["period"])) / (
        position(target["by"]) - position(target["baseline"]["period"])
    )
    t = base * (final / base) ** x if target["shape"] == "compound" else base + (final - base) * x
    red = _offset_value(target["red_flag"], t)
    sign = 1 if kpi["polarity"] == "higher_is_better" else -1
    if sign * (actual - t) >= 0:
        return "on track"
    return "off track" if sign * (actual - red) < 0 else "at risk"


def test_targets_fitted_to_the_data_give_every_status(demo500: tuple[Path, Any]) -> None:
    directory, _ = demo500
    kpis = [k for k in _yaml(directory, "kpis")["kpis"] if k["source"] != "manual"]
    con = duckdb.connect(str(directory / "warehouse.duckdb"), read_only=True)
    try:
        statuses = Counter(_latest_status(k, con) for k in kpis)
    finally:
        con.close()
    assert statuses["on track"] >= 3 and statuses["at risk"] >= 3 and statuses["off track"] >= 3
