"""The Alignment Map as a view model: foundation in the centre, process KPIs, initiatives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligna import model as m


@dataclass(frozen=True)
class MapVisionTarget:
    """A vision target with what the initiatives tied to it expect to contribute."""

    id: str
    name: str
    kpi: str
    value: float
    year: int | None
    unit_of_measure: str
    expected_from_initiatives: float
    initiatives: int


@dataclass(frozen=True)
class MapKpi:
    """A KPI on the map with its owner."""

    id: str
    name: str
    owner: str
    unit_of_measure: str
    polarity: str
    frequency: str


@dataclass(frozen=True)
class MapProcess:
    """A process of today and the KPIs that measure it."""

    id: str | None
    name: str
    owner: str | None
    kpis: list[MapKpi]


@dataclass(frozen=True)
class MapInitiative:
    """An initiative of tomorrow: owner, dates, milestones, what it serves."""

    id: str
    name: str
    owner: str
    start: date
    end: date
    milestones_done: int
    milestones: int
    mission_gap: str | None
    serves: list[str]


@dataclass
class AlignmentMap:
    """The single picture: foundation, process KPIs on one side, initiatives on the other."""

    name: str
    mission: str
    vision: str
    horizon: int | None
    values: list[str] = field(default_factory=list)
    vision_targets: list[MapVisionTarget] = field(default_factory=list)
    processes: list[MapProcess] = field(default_factory=list)
    initiatives: list[MapInitiative] = field(default_factory=list)
    objectives: int = 0
    people: int = 0


def build_alignment_map(session: Session, *, unit: str | None = None) -> AlignmentMap:
    """Read the map from the database; with a unit, only items of that unit's subtree."""
    people = dict(session.execute(select(m.Person.id, m.Person.name)).all())
    root = session.execute(
        select(m.Unit.name).where(m.Unit.parent_id.is_(None), m.Unit.archived_at.is_(None))
    ).scalar()
    foundation = session.execute(select(m.Foundation)).scalar()
    scope = _subtree(session, unit) if unit else None
    the_map = AlignmentMap(
        name=root or "",
        mission=(foundation.mission if foundation else "").strip(),
        vision=(foundation.vision if foundation else "").strip(),
        horizon=foundation.horizon if foundation else None,
    )
    the_map.values = list(
        session.execute(
            select(m.Value.name).where(m.Value.archived_at.is_(None)).order_by(m.Value.slug)
        ).scalars()
    )
    kpis = (
        session.execute(select(m.Kpi).where(m.Kpi.archived_at.is_(None)).order_by(m.Kpi.name))
        .scalars()
        .all()
    )
    kpi_by_id = {k.id: k for k in kpis}
    expected: dict[int, float] = defaultdict(float)
    counted: dict[int, int] = defaultdict(int)
    for target_id, value in session.execute(
        select(m.InitiativeContribution.vision_target_id, m.InitiativeContribution.expected)
        .join(m.Initiative, m.Initiative.id == m.InitiativeContribution.initiative_id)
        .where(m.InitiativeContribution.vision_target_id.is_not(None))
        .where(m.Initiative.archived_at.is_(None))
    ):
        expected[target_id] += value or 0.0
        counted[target_id] += 1
    for target in session.execute(
        select(m.VisionTarget)
        .where(m.VisionTarget.archived_at.is_(None))
        .order_by(m.VisionTarget.slug)
    ).scalars():
        kpi = kpi_by_id.get(target.kpi_id)
        the_map.vision_targets.append(
            MapVisionTarget(
                id=target.slug,
                name=target.name,
                kpi=kpi.name if kpi else "",
                value=target.value,
                year=target.year or the_map.horizon,
                unit_of_measure=kpi.unit_of_measure if kpi else "",
                expected_from_initiatives=expected[target.id],
                initiatives=counted[target.id],
            )
        )
    processes = (
        session.execute(
            select(m.Process).where(m.Process.archived_at.is_(None)).order_by(m.Process.name)
        )
        .scalars()
        .all()
    )
    by_process: dict[int | None, list[MapKpi]] = defaultdict(list)
    for kpi in kpis:
        if scope is not None and kpi.unit_id not in scope:
            continue
        by_process[kpi.process_id].append(
            MapKpi(
                kpi.slug,
                kpi.name,
                people.get(kpi.owner_id, ""),
                kpi.unit_of_measure,
                str(kpi.polarity),
                str(kpi.frequency),
            )
        )
    for process in processes:
        if by_process.get(process.id) or scope is None:
            the_map.processes.append(
                MapProcess(
                    process.slug,
                    process.name,
                    people.get(process.owner_id),
                    by_process.get(process.id, []),
                )
            )
    if by_process.get(None):
        the_map.processes.append(
            MapProcess(None, "Strategic KPIs (no process)", None, by_process[None])
        )
    the_map.initiatives = _initiatives(session, people, scope)
    the_map.objectives = session.execute(
        select(func.count()).select_from(m.Objective).where(m.Objective.archived_at.is_(None))
    ).scalar_one()
    the_map.people = session.execute(
        select(func.count()).select_from(m.Person).where(m.Person.archived_at.is_(None))
    ).scalar_one()
    return the_map


def _initiatives(
    session: Session, people: dict[int, str], scope: set[int] | None
) -> list[MapInitiative]:
    milestones: dict[int, list[float]] = defaultdict(list)
    for initiative_id, percent in session.execute(
        select(m.Milestone.initiative_id, m.Milestone.percent_complete)
    ):
        milestones[initiative_id].append(percent)
    objectives = dict(session.execute(select(m.Objective.id, m.Objective.name)).all())
    targets = dict(session.execute(select(m.VisionTarget.id, m.VisionTarget.name)).all())
    serves: dict[int, list[str]] = defaultdict(list)
    for row in session.execute(
        select(m.InitiativeContribution).order_by(m.InitiativeContribution.position)
    ).scalars():
        label = (
            objectives.get(row.objective_id)
            if row.objective_id
            else targets.get(row.vision_target_id)
        )
        serves[row.initiative_id].append(label or "")
    result = []
    for initiative in session.execute(
        select(m.Initiative)
        .where(m.Initiative.archived_at.is_(None))
        .order_by(m.Initiative.start_date, m.Initiative.name)
    ).scalars():
        if scope is not None and initiative.unit_id not in scope:
            continue
        done = milestones[initiative.id]
        result.append(
            MapInitiative(
                id=initiative.slug,
                name=initiative.name,
                owner=people.get(initiative.owner_id, ""),
                start=initiative.start_date,
                end=initiative.end_date,
                milestones_done=sum(1 for p in done if p >= 100),
                milestones=len(done),
                mission_gap=str(initiative.mission_gap) if initiative.mission_gap else None,
                serves=serves[initiative.id],
            )
        )
    return result


def _subtree(session: Session, unit: str) -> set[int]:
    rows = session.execute(select(m.Unit.id, m.Unit.slug, m.Unit.parent_id)).all()
    start = next((key for key, slug, _ in rows if slug == unit), None)
    if start is None:
        raise LookupError(f"unknown unit '{unit}', expected the id of a unit")
    children: dict[int | None, list[int]] = defaultdict(list)
    for key, _, parent in rows:
        children[parent].append(key)
    found, stack = set(), [start]
    while stack:
        key = stack.pop()
        found.add(key)
        stack.extend(children[key])
    return found
