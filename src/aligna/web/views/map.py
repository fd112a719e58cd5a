"""The Alignment Map for the web: the foundation in the centre, the KPIs of today's processes on
one side, the strategic initiatives on the other, the vision gap marked on each vision target.

It stays readable at thousands of KPIs: processes and initiative groups come with their status
counts, and only groups small enough (or asked for) list their items. Every number counts
only what the viewer may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, initiative_visible, kpi_visible, unit_subtree
from aligna.web.views.search import like_pattern

INLINE_LIMIT = 12  # a group with more items lists them on demand


@dataclass
class GapView:
    """A vision target with its vision gap."""

    id: str
    name: str
    kpi: str | None  # the KPI's id when the viewer may see it
    kpi_name: str
    value: float
    year: int | None
    unit_of_measure: str
    method: str | None
    projection: float | None
    gap: float | None
    covered: float
    uncovered: float | None
    warning: str
    initiatives: int


@dataclass
class Group:
    """A process (or an initiative group) with its items' status counts."""

    id: str
    name: str
    counts: dict[str, int]
    total: int
    items: list[dict[str, Any]] | None = None  # listed when small or asked for


@dataclass
class MapView:
    """The whole map page."""

    mission: str
    vision: str
    horizon: int | None
    values: list[str]
    gaps: list[GapView]
    processes: list[Group]
    initiative_groups: list[Group]
    mission_gap: dict[str, int] = field(default_factory=dict)
    unit: tuple[str, str] | None = None
    query: str = ""


def _latest_kpi_status() -> Any:
    e = m.KpiEvaluation
    return and_(e.kpi_id == m.Kpi.id, e.unit_id.is_(None), e.latest.is_(True))


def kpi_rows(
    viewer: Viewer, *, scope: list[int] | None, query: str, process: str | None = None
) -> Select[Any]:
    """Visible live KPIs with their latest status, filtered by unit subtree, text, process."""
    e = m.KpiEvaluation
    statement = (
        select(
            m.Kpi.slug,
            m.Kpi.name,
            m.Process.slug.label("process"),
            func.coalesce(e.status, "no_data").label("status"),
            e.actual,
            e.target,
            m.Kpi.unit_of_measure,
            m.Person.name.label("owner"),
        )
        .outerjoin(e, _latest_kpi_status())
        .outerjoin(m.Process, m.Process.id == m.Kpi.process_id)
        .join(m.Person, m.Person.id == m.Kpi.owner_id)
        .where(m.Kpi.archived_at.is_(None), kpi_visible(viewer))
        .order_by(m.Kpi.name)
    )
    if scope is not None:
        statement = statement.where(m.Kpi.unit_id.in_(scope))
    if query:
        statement = statement.where(
            func.lower(m.Kpi.name).like(like_pattern(query.lower()), escape="\\")
        )
    if process == "":
        statement = statement.where(m.Kpi.process_id.is_(None))
    elif process is not None:
        statement = statement.where(m.Process.slug == process)
    return statement


def initiative_rows(viewer: Viewer, *, scope: list[int] | None, query: str) -> Select[Any]:
    """Visible live initiatives with their health and the first vision target they serve."""
    h = m.InitiativeEvaluation
    statement = (
        select(
            m.Initiative.slug,
            m.Initiative.name,
            m.Initiative.mission_gap,
            func.coalesce(h.health, "no_data").label("status"),
            h.percent_complete,
            m.Initiative.end_date,
            m.Person.name.label("owner"),
        )
        .outerjoin(h, h.initiative_id == m.Initiative.id)
        .join(m.Person, m.Person.id == m.Initiative.owner_id)
        .where(m.Initiative.archived_at.is_(None), initiative_visible(viewer))
        .order_by(m.Initiative.name)
    )
    if scope is not None:
        statement = statement.where(
            or_(m.Initiative.unit_id.in_(scope), m.Initiative.unit_id.is_(None))
        )
    if query:
        statement = statement.where(
            func.lower(m.Initiative.name).like(like_pattern(query.lower()), escape="\\")
        )
    return statement


def build_map(
    session: Session,
    *,
    viewer: Viewer,
    unit: str | None = None,
    query: str = "",
    open_group: str | None = None,
) -> MapView:
    """Read the map the viewer may see (a fixed number of queries)."""
    foundation = session.execute(select(m.Foundation)).scalar()
    unit_row = session.execute(select(m.Unit).where(m.Unit.slug == unit)).scalar() if unit else None
    scope = unit_subtree(session, unit_row.id) if unit_row else None
    the_map = MapView(
        mission=(foundation.mission if foundation else "").strip(),
        vision=(foundation.vision if foundation else "").strip(),
        horizon=foundation.horizon if foundation else None,
        values=list(
            session.execute(
                select(m.Value.name).where(m.Value.archived_at.is_(None)).order_by(m.Value.slug)
            ).scalars()
        ),
        gaps=vision_gaps_for(session, viewer, foundation.horizon if foundation else None),
        processes=[],
        initiative_groups=[],
        unit=(unit_row.slug, unit_row.name) if unit_row else None,
        query=query,
    )
    the_map.processes = _process_groups(session, viewer, scope, query, open_group)
    initiatives = session.execute(initiative_rows(viewer, scope=scope, query=query)).all()
    by_topic: dict[str, list[Any]] = defaultdict(list)
    for row in initiatives:
        by_topic[str(row.mission_gap) if row.mission_gap else ""].append(row)
    for topic in sorted(by_topic, key=lambda t: (t == "", t)):
        rows = by_topic[topic]
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[row.status] += 1
        group_id = f"gap-{topic}" if topic else "gap-none"
        listed = len(rows) <= INLINE_LIMIT or open_group == group_id
        the_map.initiative_groups.append(
            Group(
                group_id,
                f"Mission gap: {topic}" if topic else "Other initiatives",
                dict(counts),
                len(rows),
                [r._asdict() for r in rows] if listed else None,
            )
        )
        if topic:
            the_map.mission_gap[topic] = len(rows)
    return the_map


def _process_groups(
    session: Session, viewer: Viewer, scope: list[int] | None, query: str, open_group: str | None
) -> list[Group]:
    rows = kpi_rows(viewer, scope=scope, query=query).subquery()
    counted = session.execute(
        select(rows.c.process, rows.c.status, func.count()).group_by(rows.c.process, rows.c.status)
    ).all()
    counts: dict[str | None, dict[str, int]] = defaultdict(dict)
    for process, status, n in counted:
        counts[process][status] = n
    names = dict(
        session.execute(
            select(m.Process.slug, m.Process.name).where(m.Process.archived_at.is_(None))
        ).all()
    )
    totals = {p: sum(c.values()) for p, c in counts.items()}
    small = [p for p in counts if totals[p] <= INLINE_LIMIT or _group_id(p) == open_group]
    listed: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    if small:
        wanted = [p for p in small if p is not None]
        statement = select(rows).where(
            or_(
                rows.c.process.in_(wanted or ["\x00"]),
                rows.c.process.is_(None) if None in small else False,
            )
        )
        for row in session.execute(statement):
            listed[row.process].append(row._asdict())
    order = sorted(counts, key=lambda p: (p is None, names.get(p or "", p or "")))
    return [
        Group(
            _group_id(p),
            names.get(p, p) if p else "Strategic KPIs (no process)",
            counts[p],
            totals[p],
            listed.get(p, []) if p in small else None,
        )
        for p in order
    ]


def _group_id(process: str | None) -> str:
    return f"process-{process}" if process else "process-none"


def vision_gaps_for(session: Session, viewer: Viewer, horizon: int | None) -> list[GapView]:
    g = m.VisionGapEvaluation
    contributions = dict(
        session.execute(
            select(m.InitiativeContribution.vision_target_id, func.count())
            .join(m.Initiative, m.Initiative.id == m.InitiativeContribution.initiative_id)
            .where(
                m.InitiativeContribution.vision_target_id.is_not(None),
                m.Initiative.archived_at.is_(None),
                initiative_visible(viewer),
            )
            .group_by(m.InitiativeContribution.vision_target_id)
        ).all()
    )
    visible = set(
        session.execute(
            select(m.Kpi.id).where(m.Kpi.id.in_(select(m.VisionTarget.kpi_id)), kpi_visible(viewer))
        ).scalars()
    )
    gaps = []
    for target, kpi, gap in session.execute(
        select(m.VisionTarget, m.Kpi, g)
        .join(m.Kpi, m.Kpi.id == m.VisionTarget.kpi_id)
        .outerjoin(g, g.vision_target_id == m.VisionTarget.id)
        .where(m.VisionTarget.archived_at.is_(None))
        .order_by(m.VisionTarget.slug)
    ):
        gaps.append(
            GapView(
                id=target.slug,
                name=target.name,
                kpi=kpi.slug if kpi.id in visible else None,
                kpi_name=kpi.name,
                value=target.value,
                year=target.year or horizon,
                unit_of_measure=kpi.unit_of_measure,
                method=gap.method if gap else None,
                projection=gap.projection if gap else None,
                gap=gap.gap if gap else None,
                covered=gap.covered if gap else 0.0,
                uncovered=gap.uncovered if gap else None,
                warning=gap.warning if gap else "",
                initiatives=contributions.get(target.id, 0),
            )
        )
    return gaps
