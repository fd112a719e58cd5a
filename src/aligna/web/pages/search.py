"""The search page (and its htmx fragment for results as you type)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from aligna.web.deps import CurrentViewer, DbSession
from aligna.web.pages.common import is_htmx, render
from aligna.web.views.search import search

router = APIRouter(include_in_schema=False)
KINDS = ("people", "units", "kpis", "objectives", "initiatives")
KIND_PAGE = 50


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    q: str = Query("", max_length=200),
    kind: str | None = None,
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    """Results per kind; one kind alone is listed a page at a time."""
    chosen = kind if kind in KINDS else None
    size = KIND_PAGE if chosen else 10
    results = search(
        session,
        viewer=viewer,
        query=q,
        kind=chosen,
        limit=size,
        offset=(page - 1) * size if chosen else 0,
    )
    pages = max(1, -(-results.counts.get(chosen or "", 0) // size)) if chosen else 1
    template = "partials/search_results.html" if is_htmx(request) else "pages/search.html"
    return render(
        request,
        template,
        title="Search",
        query=q,
        results=results,
        kind=chosen,
        page={"number": page, "pages": pages, "total": results.counts.get(chosen or "", 0)},
    )
