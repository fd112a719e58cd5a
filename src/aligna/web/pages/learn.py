"""Learn: a glossary of the domain's words, how to read a scorecard, a guided first visit."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aligna.web.deps import OptionalViewer
from aligna.web.pages.common import render

router = APIRouter(include_in_schema=False)

GLOSSARY_FILE = Path(__file__).parent.parent / "glossary.toml"


@cache
def glossary_words() -> list[tuple[str, str]]:
    """The glossary's words and meanings, in their order in glossary.toml."""
    data = tomllib.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return [(w["name"], w["meaning"].strip()) for w in data["word"]]


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request, viewer: OptionalViewer) -> Response:
    """The Learn section's front page."""
    return render(request, "learn/index.html", title="Learn", nav="learn")


@router.get("/learn/glossary", response_class=HTMLResponse)
def glossary(request: Request, viewer: OptionalViewer) -> Response:
    """Every word of the domain, as aligna uses it."""
    return render(
        request, "learn/glossary.html", title="Glossary", nav="learn", words=glossary_words()
    )


@router.get("/learn/scorecard", response_class=HTMLResponse)
def read_a_scorecard(request: Request, viewer: OptionalViewer) -> Response:
    """How to read a scorecard: status, bullet graph, sparkline, trend, forecast, line of sight."""
    return render(request, "learn/scorecard.html", title="How to read a scorecard", nav="learn")


@router.get("/learn/tour", response_class=HTMLResponse)
def tour(request: Request, viewer: OptionalViewer) -> Response:
    """A short guided first visit through the pages."""
    return render(request, "learn/tour.html", title="A first visit", nav="learn")
