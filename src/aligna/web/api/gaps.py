"""Vision gaps: what each vision target requires beyond organic growth, and what covers it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from aligna import model as m
from aligna.web.api.pagination import Page, Paging, page_of, slice_page
from aligna.web.deps import CurrentViewer, DbSession

# The map's own reading of the gaps, permissions included.
from aligna.web.views.map import GapView, vision_gaps_for

router = APIRouter(tags=["vision gaps"])


class VisionGap(BaseModel):
    """A vision target with its vision gap (docs/evaluation.md, `aligna gaps`)."""

    vision_target: str
    name: str
    kpi: str | None = Field(description="The KPI behind the target, when you may see it.")
    kpi_name: str
    target: float
    year: int | None
    unit_of_measure: str
    method: str | None = Field(description="compound or linear projection.")
    projection: float | None
    gap: float | None
    covered: float = Field(description="Sum of the initiatives' expected contributions.")
    uncovered: float | None
    warning: str | None
    initiatives: int = Field(description="Initiatives you may see that serve it.")


def _record(gap: GapView) -> VisionGap:
    return VisionGap(
        vision_target=gap.id,
        name=gap.name,
        kpi=gap.kpi,
        kpi_name=gap.kpi_name,
        target=gap.value,
        year=gap.year,
        unit_of_measure=gap.unit_of_measure,
        method=gap.method,
        projection=gap.projection,
        gap=gap.gap,
        covered=gap.covered,
        uncovered=gap.uncovered,
        warning=gap.warning or None,
        initiatives=gap.initiatives,
    )


@router.get("/vision-gaps", response_model=Page[VisionGap], summary="Vision gaps")
def vision_gaps(
    request: Request, response: Response, viewer: CurrentViewer, session: DbSession, paging: Paging
) -> Page[VisionGap]:
    """Every vision target's gap (the organisation-level map: everyone signed in sees it)."""
    horizon = session.execute(select(m.Foundation.horizon)).scalar()
    gaps, total = slice_page(vision_gaps_for(session, viewer, horizon), paging)
    return page_of(request, response, [_record(g) for g in gaps], paging, total)
