"""The search page (and its htmx fragment for results as you type)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from aligna.web.deps import CurrentViewer, DbSession
from aligna.web.pages.common import is_htmx, render
from aligna.web.views.search import search

router = APIRouter(include_in_schema=False)
KINDS = ("people", "units", "kpis", "objectives", "initiatives")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    viewer: CurrentViewer,
    session: DbSession,
    q: str = Query("", max_length=200),
    kind: str | None = None,
) -> Response:
    """Results per kind; a kind alone shows up to 100 of it."""
    chosen = kind if kind in KINDS else None
    results = search(session, viewer=viewer, query=q, kind=chosen, limit=100 if chosen else 10)
    template = "partials/search_results.html" if is_htmx(request) else "pages/search.html"
    return render(request, template, title="Search", query=q, results=results, kind=chosen)
