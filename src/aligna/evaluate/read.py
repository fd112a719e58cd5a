"""Reading evaluation results back for people: status lists, a KPI's history, gaps, exceptions.

Every function returns plain records (dicts with the documented JSON field names), so the
command line, the API and the pages show the same thing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from aligna import model as m

Record = dict[str, Any]


class NotFound(LookupError):
    """An id that names nothing (or nothing live)."""


def kpi_record(row: Any, kpi: str, unit: str | None, forecast: Record | None) -> Record:
    """One KPI evaluation as the documented JSON record."""
    return {
        "kpi": kpi,
        "unit": unit,
        "period": row.period,
        "actual": row.actual,
        "target": row.target,
        "red_flag": row.red_flag,
        "stretch": row.stretch,
        "lo": row.lo,
        "hi": row.hi,
        "status": row.status,
        "score": row.score,
        "trend": row.trend,
        "signals": json.loads(row.signals or "[]"),
        "forecast": forecast,
        "stale_reason": row.stale_reason or None,
    }


def forecast_record(forecast: m.KpiForecast | None) -> Record | None:
    """A stored forecast as the documented JSON record."""
    if forecast is None:
        return None
    return {
        "end_period": forecast.end_period,
        "final_target": forecast.final_target,
        "projected": forecast.projected,
        "meets": forecast.meets,
        "reach_period": forecast.reach_period,
    }


def _forecasts(session: Session) -> dict[tuple[int, int | None], Record | None]:
    return {
        (f.kpi_id, f.unit_id): forecast_record(f)
        for f in session.execute(select(m.KpiForecast)).scalars()
    }


def kpi_statuses(
    session: Session, *, unit: str | None = None, person: str | None = None
) -> list[Record]:
    """The latest closed evaluation of every KPI (whole organisation), of a unit's KPIs and
    slices, or of the items on a person's scorecard."""
    e = m.KpiEvaluation
    unit_alias = aliased(m.Unit)
    query = (
        select(e, m.Kpi.slug, m.Kpi.name, unit_alias.slug.label("unit_slug"))
        .where(e.latest.is_(True))
        .join(m.Kpi, m.Kpi.id == e.kpi_id)
        .outerjoin(unit_alias, unit_alias.id == e.unit_id)
        .where(m.Kpi.archived_at.is_(None))
        .order_by(m.Kpi.slug, unit_alias.slug)
    )
    if person is not None:
        person_id = session.execute(
            select(m.Person.id).where(m.Person.slug == person, m.Person.archived_at.is_(None))
        ).scalar()
        if person_id is None:
            raise NotFound(f"unknown person '{person}', expected the id of a person")
        items = session.execute(
            select(m.ScorecardItem.kpi_id, m.ScorecardItem.unit_id).where(
                m.ScorecardItem.person_id == person_id, m.ScorecardItem.kpi_id.is_not(None)
            )
        ).all()
        wanted = {(k, u) for k, u in items}
        rows = [r for r in session.execute(query) if (r[0].kpi_id, r[0].unit_id) in wanted]
    elif unit is not None:
        unit_id = session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar()
        if unit_id is None:
            raise NotFound(f"unknown unit '{unit}', expected the id of a unit")
        own = _unit_kpis(session, unit_id)  # once, not once per row
        rows = [
            r
            for r in session.execute(query)
            if r[0].unit_id == unit_id or (r[0].unit_id is None and r[0].kpi_id in own)
        ]
    else:
        rows = [r for r in session.execute(query) if r[0].unit_id is None]
    forecasts = _forecasts(session)
    return [
        {
            **kpi_record(r[0], r.slug, r.unit_slug, forecasts.get((r[0].kpi_id, r[0].unit_id))),
            "name": r.name,
        }
        for r in rows
    ]


def _unit_kpis(session: Session, unit_id: int) -> set[int]:
    return set(session.execute(select(m.Kpi.id).where(m.Kpi.unit_id == unit_id)).scalars())


def objective_statuses(session: Session) -> list[Record]:
    """Every objective's roll-up, parents before children."""
    rows = session.execute(
        select(
            m.Objective.slug,
            m.Objective.name,
            m.Objective.parent_id,
            m.Objective.id,
            m.ObjectiveEvaluation.score,
            m.ObjectiveEvaluation.status,
            m.ObjectiveEvaluation.coverage,
            m.ObjectiveEvaluation.stale_share,
        )
        .join(m.ObjectiveEvaluation, m.ObjectiveEvaluation.objective_id == m.Objective.id)
        .where(m.Objective.archived_at.is_(None))
    ).all()
    children: dict[int | None, list[Any]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    ordered: list[Record] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: r.slug):
            ordered.append(
                {
                    "objective": row.slug,
                    "name": row.name,
                    "depth": depth,
                    "score": row.score,
                    "status": row.status,
                    "coverage": row.coverage,
                    "stale_share": row.stale_share,
                }
            )
            walk(row.id, depth + 1)

    walk(None, 0)
    return ordered


def kpi_history(session: Session, kpi: str, unit: str | None = None) -> list[Record]:
    """A KPI's (or slice's) evaluations period by period, with targets, limits and signals."""
    kpi_row = session.execute(select(m.Kpi.id).where(m.Kpi.slug == kpi)).scalar()
    if kpi_row is None:
        raise NotFound(f"unknown KPI '{kpi}', expected the id of a KPI")
    unit_id = None
    if unit is not None:
        unit_id = session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar()
        if unit_id is None:
            raise NotFound(f"unknown unit '{unit}', expected the id of a unit")
    e = m.KpiEvaluation
    condition = e.unit_id.is_(None) if unit_id is None else e.unit_id == unit_id
    rows = session.execute(
        select(e).where(e.kpi_id == kpi_row, condition).order_by(e.period)
    ).scalars()
    return [
        {
            **kpi_record(r, kpi, unit, None),
            "partial": r.partial,
            "centre": r.centre,
            "lower_limit": r.lower_limit,
            "upper_limit": r.upper_limit,
        }
        for r in rows
    ]


def gaps(session: Session) -> list[Record]:
    """The vision gap of every vision target."""
    rows = session.execute(
        select(
            m.VisionTarget.slug, m.VisionTarget.name, m.VisionTarget.value, m.VisionGapEvaluation
        )
        .join(m.VisionGapEvaluation, m.VisionGapEvaluation.vision_target_id == m.VisionTarget.id)
        .where(m.VisionTarget.archived_at.is_(None))
        .order_by(m.VisionTarget.slug)
    ).all()
    return [
        {
            "vision_target": r.slug,
            "name": r.name,
            "target": r.value,
            "method": r[3].method,
            "projection": r[3].projection,
            "gap": r[3].gap,
            "covered": r[3].covered,
            "uncovered": r[3].uncovered,
            "warning": r[3].warning or None,
        }
        for r in rows
    ]


def exceptions(session: Session, *, include_closed: bool = False) -> list[Record]:
    """Performance exceptions, open ones first (newest first)."""
    x = m.PerformanceException
    owner = aliased(m.Person)
    query = (
        select(
            x,
            m.Kpi.slug.label("kpi_slug"),
            m.Initiative.slug.label("initiative_slug"),
            m.Unit.slug.label("unit_slug"),
            owner.slug.label("owner_slug"),
        )
        .outerjoin(m.Kpi, m.Kpi.id == x.kpi_id)
        .outerjoin(m.Initiative, m.Initiative.id == x.initiative_id)
        .outerjoin(m.Unit, m.Unit.id == x.unit_id)
        .outerjoin(owner, owner.id == x.owner_id)
        .order_by(x.closed_at.is_not(None), x.opened_at.desc(), x.id.desc())
    )
    if not include_closed:
        query = query.where(x.closed_at.is_(None))
    return [
        {
            "id": r[0].id,
            "kind": r[0].kind,
            "kpi": r.kpi_slug,
            "unit": r.unit_slug,
            "initiative": r.initiative_slug,
            "period": r[0].period,
            "owner": r.owner_slug,
            "detail": r[0].detail,
            "opened_at": r[0].opened_at.isoformat(),
            "closed_at": r[0].closed_at.isoformat() if r[0].closed_at else None,
        }
        for r in session.execute(query)
    ]
