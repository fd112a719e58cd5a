"""Objectives: the tree flattened (parents before children) and one objective."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from aligna.web.api.pagination import Page, PageParams, Paging, fetch_page, page_of, slice_page
from aligna.web.api.records import Ref
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.views.objectives import ObjectiveNode, objective_kpis, objective_tree

router = APIRouter(tags=["objectives"])
LISTED_KPIS = PageParams(1, 100)  # more are a page of /kpis?objective=


class ObjectiveSummary(BaseModel):
    """An objective in the flattened tree, with its roll-up."""

    id: str
    name: str
    parent: str | None = Field(description="The parent objective's id; null at the top.")
    depth: int
    weight: float
    score: float | None
    status: str | None
    coverage: float | None = Field(description="Share of weight with data, 0-1.")
    stale_share: float | None
    vision_targets: list[Ref]
    kpi_count: int = Field(description="KPIs serving it that you may see.")
    initiative_count: int


class ItemLink(BaseModel):
    """A KPI or initiative serving an objective, with its weight and latest status."""

    id: str
    name: str
    weight: float
    status: str
    score: float | None


class ObjectiveDetail(ObjectiveSummary):
    """An objective with its children and the KPIs and initiatives serving it."""

    children: list[Ref]
    kpis: list[ItemLink] = Field(description=f"Up to {LISTED_KPIS.per_page}; all: /kpis?objective=")
    initiatives: list[ItemLink]


def _flatten(
    nodes: list[ObjectiveNode], parent: str | None = None, depth: int = 0
) -> Iterator[tuple[ObjectiveNode, str | None, int]]:
    for node in nodes:
        yield node, parent, depth
        yield from _flatten(node.children, node.slug, depth + 1)


def _summary(node: ObjectiveNode, parent: str | None, depth: int) -> ObjectiveSummary:
    return ObjectiveSummary(
        id=node.slug,
        name=node.name,
        parent=parent,
        depth=depth,
        weight=node.weight,
        score=node.score,
        status=node.status,
        coverage=node.coverage,
        stale_share=node.stale_share,
        vision_targets=[Ref(id=s, name=n) for s, n in node.vision_targets],
        kpi_count=node.kpi_count,
        initiative_count=node.initiative_count,
    )


@router.get("/objectives", response_model=Page[ObjectiveSummary], summary="The objective tree")
def list_objectives(
    request: Request, response: Response, viewer: CurrentViewer, session: DbSession, paging: Paging
) -> Page[ObjectiveSummary]:
    """Every objective, parents before children, with score, status and coverage."""
    flat = list(_flatten(objective_tree(session, viewer=viewer)))
    nodes, total = slice_page(flat, paging)
    return page_of(request, response, [_summary(*n) for n in nodes], paging, total)


@router.get("/objectives/{objective}", response_model=ObjectiveDetail, summary="One objective")
def get_objective(objective: str, viewer: CurrentViewer, session: DbSession) -> ObjectiveDetail:
    """An objective's roll-up, its children, and the KPIs and initiatives you may see serving it."""
    found = next(
        (n for n in _flatten(objective_tree(session, viewer=viewer)) if n[0].slug == objective),
        None,
    )
    if found is None:
        raise NotFound("objective")
    node = found[0]
    kpis, _ = fetch_page(session, objective_kpis(viewer, node.id), LISTED_KPIS)
    return ObjectiveDetail(
        **_summary(*found).model_dump(),
        children=[Ref(id=c.slug, name=c.name) for c in node.children],
        kpis=[_link(r._asdict()) for r in kpis],
        initiatives=[_link(i) for i in node.initiatives or []],
    )


def _link(row: dict[str, Any]) -> ItemLink:
    return ItemLink(
        id=row["slug"],
        name=row["name"],
        weight=row["weight"],
        status=row["status"],
        score=row["score"],
    )
