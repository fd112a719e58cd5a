"""Search people, units, KPIs, objectives and initiatives, among what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.access import Viewer, initiative_visible, kpi_visible, person_visible

PER_KIND = 10
COUNT_CAP = 1000  # counts beyond it show as "1,000+"


@dataclass
class SearchResults:
    """The hits per kind, and how many there are of each (counted among visible ones)."""

    query: str
    hits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All hits of every kind (each kind counted up to COUNT_CAP)."""
        return sum(min(n, COUNT_CAP) for n in self.counts.values())

    @property
    def capped(self) -> bool:
        """Whether some kind has more hits than were counted."""
        return any(n > COUNT_CAP for n in self.counts.values())


def like_pattern(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    session: Session,
    *,
    viewer: Viewer,
    query: str,
    kind: str | None = None,
    limit: int = PER_KIND,
    offset: int = 0,
) -> SearchResults:
    """Find the query in names and ids (people also by email), case-insensitively."""
    text = query.strip()
    results = SearchResults(text)
    if not text:
        return results
    pattern = like_pattern(text.lower())

    def matches(*columns: Any) -> Any:
        return or_(*(func.lower(c).like(pattern, escape="\\") for c in columns))

    kinds: dict[str, Any] = {
        "people": select(m.Person.slug, m.Person.name, m.Person.position.label("detail"))
        .where(
            m.Person.archived_at.is_(None),
            matches(m.Person.name, m.Person.slug, m.Person.email),
            person_visible(viewer),
        )
        .order_by(m.Person.name),
        "units": select(m.Unit.slug, m.Unit.name, m.Unit.kind.label("detail"))
        .where(m.Unit.archived_at.is_(None), matches(m.Unit.name, m.Unit.slug))
        .order_by(m.Unit.name),
        "kpis": select(m.Kpi.slug, m.Kpi.name, m.Kpi.unit_of_measure.label("detail"))
        .where(m.Kpi.archived_at.is_(None), matches(m.Kpi.name, m.Kpi.slug), kpi_visible(viewer))
        .order_by(m.Kpi.name),
        "objectives": select(
            m.Objective.slug, m.Objective.name, m.Objective.description.label("detail")
        )
        .where(m.Objective.archived_at.is_(None), matches(m.Objective.name, m.Objective.slug))
        .order_by(m.Objective.name),
        "initiatives": select(
            m.Initiative.slug, m.Initiative.name, m.Initiative.description.label("detail")
        )
        .where(
            m.Initiative.archived_at.is_(None),
            matches(m.Initiative.name, m.Initiative.slug),
            initiative_visible(viewer),
        )
        .order_by(m.Initiative.name),
    }
    for name, statement in kinds.items():
        if kind is not None and name != kind:
            continue
        # The first rows by name, and a count that stops at COUNT_CAP: counting every match
        # of two letters among 100,000 people cost more than the whole page.
        rows = session.execute(statement.limit(limit).offset(offset)).all()
        results.hits[name] = [r._asdict() for r in rows]
        capped = statement.order_by(None).limit(COUNT_CAP + 1).subquery()
        results.counts[name] = session.execute(
            select(func.count()).select_from(capped)
        ).scalar_one()
    return results
