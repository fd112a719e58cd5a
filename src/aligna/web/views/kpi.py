"""A KPI's page: definition, source, people, history with targets and signals, target changes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, kpi_visible, person_visible
from aligna.web.views.scorecard import HISTORY, ItemView, PersonRef, kpi_item
from aligna.web.views.sight import Step, lines_of_sight, objective_index


@dataclass
class KpiPage:
    """Everything the KPI page shows."""

    kpi_id: int
    item: ItemView  # the latest closed period, as on a scorecard
    definition: str
    frequency: str
    aggregation: str
    public: bool
    restricted: bool
    owner: PersonRef
    home_unit: tuple[str, str]
    process: str | None
    source: str  # manual | query
    connection: str | None
    query: str | None
    last_refresh: dict[str, Any] | None
    influencers: list[dict[str, Any]]
    objectives: list[dict[str, Any]]
    slices: list[dict[str, Any]]
    slice_count: int
    slice_page: int
    history: list[dict[str, Any]]  # every period, oldest first (the chart)
    target_changes: list[dict[str, Any]]
    sight: list[list[Step]] = field(default_factory=list)
    open_exceptions: list[dict[str, Any]] = field(default_factory=list)


def find_kpi(session: Session, viewer: Viewer, slug: str) -> m.Kpi | None:
    """A live KPI the viewer may see, by its id."""
    return session.execute(
        select(m.Kpi).where(m.Kpi.slug == slug, m.Kpi.archived_at.is_(None), kpi_visible(viewer))
    ).scalar()


def kpi_page(
    session: Session, *, viewer: Viewer, kpi: m.Kpi, unit_id: int | None, slice_page: int = 1
) -> KpiPage:
    """Build a KPI's page for the whole organisation or one unit's slice."""
    e = m.KpiEvaluation
    rows = (
        session.execute(
            select(e)
            .where(
                e.kpi_id == kpi.id,
                e.unit_id.is_(None) if unit_id is None else e.unit_id == unit_id,
            )
            .order_by(e.period)
        )
        .scalars()
        .all()
    )
    history = [_point(r) for r in rows]
    latest = next((r for r in reversed(rows) if r.latest), None)
    forecast = session.execute(
        select(m.KpiForecast).where(
            m.KpiForecast.kpi_id == kpi.id,
            m.KpiForecast.unit_id.is_(None)
            if unit_id is None
            else m.KpiForecast.unit_id == unit_id,
        )
    ).scalar()
    item = kpi_item(
        kpi, latest, forecast, [p["actual"] for p in history if not p["partial"]][-HISTORY:]
    )
    if unit_id is not None:
        unit = session.execute(select(m.Unit).where(m.Unit.id == unit_id)).scalar()
        item.unit, item.unit_name = (unit.slug, unit.name) if unit else (None, None)
    # Owner, home unit, process and connection in one statement (a fixed count per page).
    facts = session.execute(
        select(
            m.Person.slug,
            m.Person.name,
            m.Person.position,
            person_visible(viewer).label("owner_visible"),
            m.Unit.slug.label("unit_slug"),
            m.Unit.name.label("unit_name"),
            m.Process.name.label("process"),
            m.Connection.slug.label("connection"),
        )
        .select_from(m.Kpi)
        .join(m.Person, m.Person.id == m.Kpi.owner_id)
        .join(m.Unit, m.Unit.id == m.Kpi.unit_id)
        .outerjoin(m.Process, m.Process.id == m.Kpi.process_id)
        .outerjoin(m.Connection, m.Connection.id == m.Kpi.connection_id)
        .where(m.Kpi.id == kpi.id)
    ).one()
    refresh = session.execute(
        select(m.KpiRefresh)
        .where(m.KpiRefresh.kpi_id == kpi.id)
        .order_by(m.KpiRefresh.id.desc())
        .limit(1)
    ).scalar()
    index = objective_index(session)
    sight = lines_of_sight(session, index, kpis=[kpi.id]).get(("kpi", kpi.id), [])
    slices, slice_count = _slices(session, kpi.id, slice_page)
    return KpiPage(
        kpi_id=kpi.id,
        item=item,
        definition=kpi.definition,
        frequency=str(kpi.frequency),
        aggregation=str(kpi.aggregation),
        public=kpi.public,
        restricted=session.execute(
            select(exists().where(m.KpiAccess.kpi_id == kpi.id))
        ).scalar_one(),
        owner=PersonRef(facts.slug, facts.name, facts.position, bool(facts.owner_visible)),
        home_unit=(facts.unit_slug, facts.unit_name),
        process=facts.process,
        source="manual" if kpi.source_manual else "query",
        connection=facts.connection,
        query=kpi.query,
        last_refresh=None
        if refresh is None
        else {
            "started_at": refresh.started_at,
            "finished_at": refresh.finished_at,
            "ok": refresh.ok,
            "error": refresh.error,
            "rows": refresh.rows,
            "new_values": refresh.new_values,
            "revised_values": refresh.revised_values,
        },
        influencers=_influencers(session, viewer, kpi.id),
        objectives=[
            {"id": slug, "name": name, "weight": weight}
            for slug, name, weight in session.execute(
                select(m.Objective.slug, m.Objective.name, m.KpiObjective.weight)
                .join(m.KpiObjective, m.KpiObjective.objective_id == m.Objective.id)
                .where(m.KpiObjective.kpi_id == kpi.id, m.Objective.archived_at.is_(None))
                .order_by(m.KpiObjective.position)
            )
        ],
        slices=slices,
        slice_count=slice_count,
        slice_page=slice_page,
        history=history,
        target_changes=_target_changes(session, kpi.id),
        sight=sight,
        open_exceptions=[
            {
                "id": x.id,
                "kind": x.kind,
                "period": x.period,
                "detail": x.detail,
                "opened_at": x.opened_at,
            }
            for x in session.execute(
                select(m.PerformanceException).where(
                    m.PerformanceException.kpi_id == kpi.id,
                    m.PerformanceException.closed_at.is_(None),
                    m.PerformanceException.unit_id.is_(None)
                    if unit_id is None
                    else m.PerformanceException.unit_id == unit_id,
                )
            ).scalars()
        ],
    )


def _point(row: m.KpiEvaluation) -> dict[str, Any]:
    return {
        "period": row.period,
        "partial": row.partial,
        "actual": row.actual,
        "target": row.target,
        "red_flag": row.red_flag,
        "stretch": row.stretch,
        "lo": row.lo,
        "hi": row.hi,
        "red_lo": row.red_lo,
        "red_hi": row.red_hi,
        "variance": row.variance,
        "percent_of_target": row.percent_of_target,
        "status": row.status,
        "score": row.score,
        "trend": row.trend,
        "centre": row.centre,
        "lower_limit": row.lower_limit,
        "upper_limit": row.upper_limit,
        "signals": json.loads(row.signals or "[]"),
        "stale_reason": row.stale_reason or None,
    }


def _influencers(session: Session, viewer: Viewer, kpi_id: int) -> list[dict[str, Any]]:
    influencer = m.KpiInfluencer
    rows = session.execute(
        select(influencer.kind, m.Person.slug, m.Person.name, m.Unit.slug, m.Unit.name, m.Person.id)
        .outerjoin(m.Person, m.Person.id == influencer.person_id)
        .outerjoin(m.Unit, m.Unit.id == influencer.unit_id)
        .where(influencer.kpi_id == kpi_id)
        .order_by(influencer.position)
    ).all()
    person_ids = [r[5] for r in rows if r[5] is not None]
    visible = set(
        session.execute(
            select(m.Person.id).where(m.Person.id.in_(person_ids), person_visible(viewer))
        ).scalars()
    )
    return [
        {
            "kind": str(kind).replace("_", "-"),
            "person": PersonRef(pslug, pname, "", pid in visible) if pslug else None,
            "unit": (uslug, uname) if uslug else None,
        }
        for kind, pslug, pname, uslug, uname, pid in rows
    ]


SLICES_PAGE = 48


def _slices(session: Session, kpi_id: int, page: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a broken-down KPI's unit slices, the most urgent first, and how many there
    are (units are visible to all; a large organisation has thousands of slices)."""
    e = m.KpiEvaluation
    urgency = case(
        (e.status == "off_track", 0),
        (e.status == "at_risk", 1),
        (e.status == "stale", 2),
        (e.status == "no_data", 3),
        else_=4,
    )
    statement = (
        select(
            m.Unit.slug,
            m.Unit.name,
            e.status,
            e.score,
            e.actual,
            func.count().over().label("total"),
        )
        .join(m.Unit, m.Unit.id == e.unit_id)
        .where(e.kpi_id == kpi_id, e.latest.is_(True), e.unit_id.is_not(None))
        .order_by(urgency, m.Unit.name)
        .limit(SLICES_PAGE)
        .offset((max(page, 1) - 1) * SLICES_PAGE)
    )
    rows = session.execute(statement).all()
    slices = [
        {"unit": r.slug, "name": r.name, "status": r.status, "score": r.score, "actual": r.actual}
        for r in rows
    ]
    return slices, (rows[0].total if rows else 0)


def _target_changes(session: Session, kpi_id: int) -> list[dict[str, Any]]:
    """Every version of the KPI's target with who set it, when and why."""
    version = m.KpiTargetVersion
    return [
        {
            "set_at": set_at,
            "target": target or {},
            "actor": actor or "",
            "message": message or "",
        }
        for set_at, target, actor, message in session.execute(
            select(version.set_at, version.target, m.ChangeSet.actor, m.ChangeSet.message)
            .outerjoin(m.ChangeSet, and_(m.ChangeSet.id == version.change_set_id))
            .where(version.kpi_id == kpi_id)
            .order_by(version.set_at.desc(), version.id.desc())
        )
    ]
