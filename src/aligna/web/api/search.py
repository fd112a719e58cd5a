"""Search people, units, KPIs, objectives and initiatives among what you may see."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aligna.web.deps import CurrentViewer, DbSession
from aligna.web.views.search import COUNT_CAP, search

router = APIRouter(tags=["search"])
Kind = Literal["people", "units", "kpis", "objectives", "initiatives"]
KINDS: tuple[Kind, ...] = ("people", "units", "kpis", "objectives", "initiatives")


class Hit(BaseModel):
    """One match: its id, name and a detail (position, unit kind, unit of measure ...)."""

    id: str
    name: str
    detail: str | None


class SearchResults(BaseModel):
    """The first hits of each kind and how many there are (counted among visible ones)."""

    query: str
    hits: dict[Kind, list[Hit]]
    counts: dict[Kind, int] = Field(
        description=f"Hits per kind, counted up to {COUNT_CAP}; {COUNT_CAP + 1} means more."
    )
    total: int
    more: bool = Field(description=f"Whether some kind has more than {COUNT_CAP} hits.")


@router.get("/search", response_model=SearchResults, summary="Search")
def search_everything(
    viewer: CurrentViewer,
    session: DbSession,
    q: Annotated[str, Query(max_length=200, description="Text in names, ids, emails.")] = "",
    kind: Annotated[Kind | None, Query(description="One kind only.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Hits per kind.")] = 10,
) -> SearchResults:
    """Search names and ids (people also by email), case-insensitively."""
    found = search(session, viewer=viewer, query=q, kind=kind, limit=limit)
    return SearchResults(
        query=found.query,
        hits={
            k: [Hit(id=h["slug"], name=h["name"], detail=h["detail"]) for h in found.hits[k]]
            for k in KINDS
            if k in found.hits
        },
        counts={k: found.counts[k] for k in KINDS if k in found.counts},
        total=found.total,
        more=found.capped,
    )
