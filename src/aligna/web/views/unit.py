"""A unit as the page and the API show it: its business scorecard and the units above it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.web.access import Viewer, kpi_visible

_SLICE_UNIT = aliased(m.Unit, name="slice_unit")  # built once, not per request


def business_scorecard(session: Session, viewer: Viewer, unit: m.Unit) -> list[Any]:
    """The unit's key KPIs the viewer may see: its own slice where a KPI is broken down by the
    unit's kind, else the whole KPI, with the latest evaluation."""
    e = m.KpiEvaluation
    slice_unit = _SLICE_UNIT
    own_slice = and_(e.kpi_id == m.Kpi.id, e.latest.is_(True), e.unit_id == unit.id)
    whole = and_(e.kpi_id == m.Kpi.id, e.latest.is_(True), e.unit_id.is_(None))
    by_kind = m.Kpi.breakdown_unit_kind == unit.kind
    not_by_kind = or_(m.Kpi.breakdown_unit_kind.is_(None), m.Kpi.breakdown_unit_kind != unit.kind)
    return list(
        session.execute(
            select(
                m.Kpi.slug,
                m.Kpi.name,
                m.Kpi.unit_of_measure,
                m.BusinessScorecardItem.weight,
                slice_unit.slug.label("slice"),
                func.coalesce(e.status, "no_data").label("status"),
                e.score,
                e.period,
                e.actual,
                e.target,
            )
            .join(m.BusinessScorecardItem, m.BusinessScorecardItem.kpi_id == m.Kpi.id)
            .outerjoin(e, or_(and_(by_kind, own_slice), and_(not_by_kind, whole)))
            .outerjoin(slice_unit, slice_unit.id == e.unit_id)
            .where(
                m.BusinessScorecardItem.unit_id == unit.id,
                m.Kpi.archived_at.is_(None),
                kpi_visible(viewer),
            )
            .order_by(m.BusinessScorecardItem.position)
        ).all()
    )


def unit_parents(session: Session, unit: m.Unit) -> list[tuple[str, str]]:
    """The ids and names of the units above, top first, in one statement however deep."""
    up = (
        select(m.Unit.id, m.Unit.parent_id, m.Unit.slug, m.Unit.name, literal(0).label("depth"))
        .where(m.Unit.id == unit.parent_id)
        .cte("parents", recursive=True)
    )
    up = up.union_all(
        select(m.Unit.id, m.Unit.parent_id, m.Unit.slug, m.Unit.name, up.c.depth + 1).where(
            m.Unit.id == up.c.parent_id, up.c.depth < 64
        )
    )
    rows = session.execute(select(up.c.slug, up.c.name).order_by(up.c.depth.desc())).all()
    return [(slug, name) for slug, name in rows]
