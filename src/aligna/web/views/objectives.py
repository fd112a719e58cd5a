"""The objective tree: the cascade from the vision targets down, with roll-ups and coverage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, initiative_visible, kpi_visible

INLINE_LIMIT = 12


@dataclass
class ObjectiveNode:
    """An objective in the tree, with its roll-up and its children."""

    id: int
    slug: str
    name: str
    weight: float
    score: float | None
    status: str | None
    coverage: float | None
    stale_share: float | None
    vision_targets: list[tuple[str, str]] = field(default_factory=list)
    children: list[ObjectiveNode] = field(default_factory=list)
    kpis: list[dict[str, Any]] | None = None  # listed when few
    kpi_count: int = 0
    initiatives: list[dict[str, Any]] | None = None
    initiative_count: int = 0


def objective_tree(session: Session, *, viewer: Viewer) -> list[ObjectiveNode]:
    """Every live objective as a tree, each with the KPIs and initiatives the viewer may see."""
    e = m.ObjectiveEvaluation
    nodes: dict[int, ObjectiveNode] = {}
    parents: dict[int, int | None] = {}
    for objective, score, status, coverage, stale in session.execute(
        select(m.Objective, e.score, e.status, e.coverage, e.stale_share)
        .outerjoin(e, e.objective_id == m.Objective.id)
        .where(m.Objective.archived_at.is_(None))
        .order_by(m.Objective.slug)
    ):
        nodes[objective.id] = ObjectiveNode(
            objective.id,
            objective.slug,
            objective.name,
            objective.weight,
            score,
            status,
            coverage,
            stale,
        )
        parents[objective.id] = objective.parent_id
    for objective, slug, name in session.execute(
        select(m.ObjectiveVisionTarget.objective_id, m.VisionTarget.slug, m.VisionTarget.name)
        .join(m.VisionTarget, m.VisionTarget.id == m.ObjectiveVisionTarget.vision_target_id)
        .where(m.VisionTarget.archived_at.is_(None))
    ):
        if objective in nodes:
            nodes[objective].vision_targets.append((slug, name))
    _attach_items(session, viewer, nodes)
    roots: list[ObjectiveNode] = []
    for oid, node in nodes.items():
        parent = parents[oid]
        if parent is not None and parent in nodes:
            nodes[parent].children.append(node)
        else:
            roots.append(node)
    return roots


def objective_kpis(viewer: Viewer, objective_id: int) -> Select[Any]:
    """The visible KPIs serving an objective, with their latest status."""
    e = m.KpiEvaluation
    return (
        select(
            m.Kpi.slug,
            m.Kpi.name,
            m.KpiObjective.weight,
            func.coalesce(e.status, "no_data").label("status"),
            e.score,
        )
        .join(m.KpiObjective, m.KpiObjective.kpi_id == m.Kpi.id)
        .outerjoin(e, (e.kpi_id == m.Kpi.id) & e.unit_id.is_(None) & e.latest.is_(True))
        .where(
            m.KpiObjective.objective_id == objective_id,
            m.Kpi.archived_at.is_(None),
            kpi_visible(viewer),
        )
        .order_by(m.Kpi.name)
    )


def _attach_items(session: Session, viewer: Viewer, nodes: dict[int, ObjectiveNode]) -> None:
    """Count each objective's visible KPIs and initiatives; list them where they are few."""
    kpi_counts = dict(
        session.execute(
            select(m.KpiObjective.objective_id, func.count())
            .join(m.Kpi, m.Kpi.id == m.KpiObjective.kpi_id)
            .where(m.Kpi.archived_at.is_(None), kpi_visible(viewer))
            .group_by(m.KpiObjective.objective_id)
        ).all()
    )
    few = [o for o, n in kpi_counts.items() if n <= INLINE_LIMIT and o in nodes]
    listed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if few:
        e = m.KpiEvaluation
        for row in session.execute(
            select(
                m.KpiObjective.objective_id,
                m.Kpi.slug,
                m.Kpi.name,
                m.KpiObjective.weight,
                func.coalesce(e.status, "no_data").label("status"),
                e.score,
            )
            .join(m.Kpi, m.Kpi.id == m.KpiObjective.kpi_id)
            .outerjoin(e, (e.kpi_id == m.Kpi.id) & e.unit_id.is_(None) & e.latest.is_(True))
            .where(
                m.KpiObjective.objective_id.in_(few),
                m.Kpi.archived_at.is_(None),
                kpi_visible(viewer),
            )
            .order_by(m.Kpi.name)
        ):
            listed[row.objective_id].append(row._asdict())
    h = m.InitiativeEvaluation
    contribution = m.InitiativeContribution
    initiatives: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(
        select(
            contribution.objective_id,
            m.Initiative.slug,
            m.Initiative.name,
            contribution.weight,
            func.coalesce(h.health, "no_data").label("status"),
            h.score,
        )
        .join(m.Initiative, m.Initiative.id == contribution.initiative_id)
        .outerjoin(h, h.initiative_id == m.Initiative.id)
        .where(
            contribution.objective_id.is_not(None),
            m.Initiative.archived_at.is_(None),
            initiative_visible(viewer),
        )
        .order_by(m.Initiative.name)
    ):
        initiatives[row.objective_id].append(row._asdict())
    for oid, node in nodes.items():
        node.kpi_count = kpi_counts.get(oid, 0)
        node.kpis = listed.get(oid, []) if node.kpi_count <= INLINE_LIMIT else None
        node.initiatives = initiatives.get(oid, [])
        node.initiative_count = len(node.initiatives)
