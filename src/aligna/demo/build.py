"""Building the whole demo project folder: organisation, warehouse, strategy and scorecards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from aligna.demo import strategy
from aligna.demo.assemble import assign_owners, channels_body, initiative_entries, kpi_entries
from aligna.demo.kpis import KPIS
from aligna.demo.names import COMPANY_NAME
from aligna.demo.organisation import Organisation, build_organisation
from aligna.demo.readings import organisation_series
from aligna.demo.scorecards import Book, business_scorecards, fill_scorecards
from aligna.demo.targets import Series
from aligna.demo.templates import STRATEGY_OFFICE
from aligna.demo.vision import vision_targets
from aligna.demo.warehouse import build_warehouse
from aligna.demo.writer import write_channels, write_csv, write_toml, write_yaml

MIN_PEOPLE, MAX_PEOPLE = 20, 100_000
VISION_YEARS = 7  # the horizon: seven years after today's year
WAREHOUSE_FILE = "warehouse.duckdb"
PEOPLE_COLUMNS = ("id", "name", "email", "position", "unit", "manager", "teams")
SCORECARD_COLUMNS = ("person", "kind", "item", "unit", "role", "weight")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo build wrote: counts of every kind, and the warehouse's tables."""

    directory: Path
    units: int
    unit_levels: int
    people: int
    processes: int
    kpis: int
    objectives: int
    objective_levels: int
    initiatives: int
    milestones: int
    vision_targets: int
    scorecard_items: int
    business_scorecard_items: int
    warehouse_tables: tuple[str, ...]
    warehouse_rows: int


def _levels(parents: dict[str, str | None]) -> int:
    """Depth of a tree given each node's parent."""
    depth: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in depth:
            parent = parents[node]
            depth[node] = 1 if parent is None else level(parent) + 1
        return depth[node]

    return max((level(n) for n in parents), default=0)


def _join_strategy_office(org: Organisation) -> None:
    """The CEO and the division heads meet as the strategy office, whatever its own staff."""
    executives = [org.units[org.root].head] + [
        org.units[u].head for u in org.units[org.root].children if org.units[u].kind == "division"
    ]
    for person in executives:
        if person and STRATEGY_OFFICE not in org.people[person].teams:
            org.people[person].teams.append(STRATEGY_OFFICE)


@dataclass(frozen=True)
class _Content:
    """Everything the files say, ready to write."""

    org: Organisation
    book: Book
    foundation: dict[str, Any]
    processes: list[dict[str, Any]]
    objectives: list[dict[str, Any]]
    kpis: list[Any]
    initiatives: list[dict[str, Any]]
    business: list[tuple[str, str, int]]


def build_demo_project(
    directory: Path,
    *,
    people: int = 200,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> DemoSummary:
    """Write a complete demo project folder (files and DuckDB warehouse) into `directory`."""
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(
            f"people must be between {MIN_PEOPLE:,} and {MAX_PEOPLE:,}, got {people:,}"
        )
    today = today or date.today()
    report = progress or (lambda stage, fraction: None)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    report("organisation", 0.0)
    org = build_organisation(people, np.random.default_rng([seed, 0]))
    report("warehouse", 0.05)
    warehouse = directory / WAREHOUSE_FILE
    info = build_warehouse(
        warehouse, org, today, seed, lambda f: report("warehouse", 0.05 + 0.6 * f)
    )
    report("targets", 0.65)
    content = _strategy(org, organisation_series(warehouse, list(KPIS), today), today)
    report("files", 0.85)
    scorecard_items = _write(directory, content, people=people, seed=seed, today=today)
    report("done", 1.0)
    return DemoSummary(
        directory=directory,
        units=len(org.units),
        unit_levels=_levels({u.id: u.parent for u in org.units.values()}),
        people=len(org.people),
        processes=len(content.processes),
        kpis=len(KPIS),
        objectives=len(content.objectives),
        objective_levels=_levels({o["id"]: o["parent"] for o in content.objectives}),
        initiatives=len(content.initiatives),
        milestones=sum(len(i["milestones"]) for i in content.initiatives),
        vision_targets=len(content.foundation["vision"]["targets"]),
        scorecard_items=scorecard_items,
        business_scorecard_items=len(content.business),
        warehouse_tables=info.tables,
        warehouse_rows=info.total_rows,
    )


def _strategy(org: Organisation, series: dict[str, Series], today: date) -> _Content:
    """Foundation, strategy, KPIs fitted to the data, initiatives and everyone's scorecard."""
    horizon = today.year + VISION_YEARS
    visions = vision_targets({k.id: k for k in KPIS}, series, horizon)
    book = Book(org.people)
    # Owners first, then contributors, then influencers: each picks people with room left.
    owners = assign_owners(org, book)
    initiatives = initiative_entries(org, book, owners, visions, today)
    kpis, scopes = kpi_entries(org, book, owners, series, visions, today)
    _join_strategy_office(org)
    fill_scorecards(org, book, scopes)
    base_year = min(v.base_year for v in visions)
    return _Content(
        org=org,
        book=book,
        foundation=strategy.foundation(horizon, base_year, [v.entry() for v in visions]),
        processes=strategy.processes(org),
        objectives=strategy.objectives(org),
        kpis=kpis,
        initiatives=initiatives,
        business=business_scorecards(org, scopes),
    )


def _write(directory: Path, content: _Content, *, people: int, seed: int, today: date) -> int:
    """Write every project file; returns the number of individual scorecard items."""
    org = content.org
    write_toml(directory, COMPANY_NAME, people, seed, today.isoformat())
    write_yaml(directory, "foundation", None, content.foundation)
    connection = {
        "id": "warehouse",
        "description": f"The {COMPANY_NAME} warehouse: three years of daily operations",
        "url": f"duckdb:///{WAREHOUSE_FILE}",
        "timeout_seconds": 30,
    }
    write_yaml(directory, "connections", "connections", [connection])
    write_yaml(directory, "processes", "processes", content.processes)
    write_yaml(directory, "objectives", "objectives", content.objectives)
    write_yaml(directory, "kpis", "kpis", content.kpis)
    write_yaml(directory, "initiatives", "initiatives", content.initiatives)
    units = ((u.id, u.name, u.kind, u.parent) for u in org.units.values())
    write_csv(directory, "units", ("id", "name", "kind", "parent"), units)
    people_rows = (
        (p.id, p.name, p.email, p.position, p.unit, p.manager, ";".join(p.teams))
        for p in org.people.values()
    )
    write_csv(directory, "people", PEOPLE_COLUMNS, people_rows)
    items = ((p, i.kind, i.item, i.unit, i.role, i.weight) for p, i in content.book.rows())
    count = write_csv(directory, "scorecards", SCORECARD_COLUMNS, items)
    write_csv(directory, "business_scorecards", ("unit", "kpi", "weight"), content.business)
    write_channels(directory, channels_body(), STRATEGY_OFFICE)
    return count
