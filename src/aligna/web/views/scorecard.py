"""A person's scorecard as the pages and the API show it: items, status, line of sight.

A fixed number of queries whatever the size of the organisation: the items, their latest
evaluations, their recent history, the objective tree, the links up to the vision.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.evaluate.read import forecast_record
from aligna.web.access import Viewer, initiative_visible, kpi_visible
from aligna.web.views.sight import Step, lines_of_sight, objective_index

HISTORY = 12  # closed periods in a sparkline
# Built once: an alias per call costs a copy of the table's columns every request.
_ITEM_KPI = aliased(m.Kpi, name="item_kpi")
_ITEM_INITIATIVE = aliased(m.Initiative, name="item_initiative")
_EXCEPTION_UNIT = aliased(m.Unit, name="exception_unit")


@dataclass
class ItemView:
    """One scorecard item with everything its row on the page shows."""

    kind: str  # kpi | initiative
    id: str
    name: str
    role: str
    weight: float
    unit: str | None = None  # the unit slice of a broken-down KPI
    unit_name: str | None = None
    status: str | None = None  # on_track at_risk off_track no_data stale (health for initiatives)
    score: float | None = None
    period: str | None = None
    actual: float | None = None
    target: float | None = None
    red_flag: float | None = None
    stretch: float | None = None
    lo: float | None = None
    hi: float | None = None
    red_lo: float | None = None
    red_hi: float | None = None
    polarity: str = "higher_is_better"
    unit_of_measure: str = ""
    trend: str | None = None
    forecast: dict[str, Any] | None = None
    history: list[float | None] = field(default_factory=list)
    sight: list[list[Step]] = field(default_factory=list)
    percent_complete: float | None = None  # initiatives
    time_elapsed: float | None = None
    end: date | None = None


@dataclass
class PersonRef:
    """A person named on a page, linked when the viewer may see them."""

    id: str
    name: str
    position: str
    visible: bool


@dataclass
class NeedsMe:
    """What needs the person: open exceptions they own, milestones due soon."""

    exceptions: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ScorecardView:
    """A person's scorecard page."""

    person: PersonRef
    unit: str
    unit_name: str
    reporting_line: list[PersonRef]
    items: list[ItemView]
    hidden_items: int  # items on the card the viewer may not see (not shown, only counted
    # for the person themself, who knows their own card)
    score: float | None
    coverage: float | None
    needs: NeedsMe


def person_scorecard(
    session: Session, *, viewer: Viewer, person_id: int, today: date
) -> ScorecardView:
    """Build the scorecard of a person the viewer may see."""
    person = session.get(m.Person, person_id)
    assert person is not None
    unit = session.get(m.Unit, person.unit_id)
    items = _items(session, viewer, person_id)
    kpi_items = [i for i in items if i[0].kpi_id is not None]
    initiative_items = [i for i in items if i[0].initiative_id is not None]
    views: list[ItemView] = []
    views += _kpi_views(session, kpi_items)
    views += _initiative_views(session, initiative_items)
    order = {id(i[0]): n for n, i in enumerate(items)}
    index = objective_index(session)
    sight = lines_of_sight(
        session,
        index,
        kpis={i[0].kpi_id for i in kpi_items},
        initiatives={i[0].initiative_id for i in initiative_items},
    )
    by_source = {id(v): src for v, src in zip(views, kpi_items + initiative_items, strict=True)}
    for view in views:
        src = by_source[id(view)][0]
        key = ("kpi", src.kpi_id) if src.kpi_id is not None else ("initiative", src.initiative_id)
        view.sight = sight.get(key, [])  # type: ignore[arg-type]
    views.sort(key=lambda v: order[id(by_source[id(v)][0])])
    total = session.execute(
        select(m.ScorecardItem.id).where(m.ScorecardItem.person_id == person_id)
    ).all()
    evaluation = session.execute(
        select(m.ScorecardEvaluation.score, m.ScorecardEvaluation.coverage).where(
            m.ScorecardEvaluation.person_id == person_id
        )
    ).first()
    return ScorecardView(
        person=PersonRef(person.slug, person.name, person.position, True),
        unit=unit.slug if unit else "",
        unit_name=unit.name if unit else "",
        reporting_line=reporting_line(session, viewer=viewer, person_id=person_id),
        items=views,
        hidden_items=len(total) - len(views),
        score=evaluation.score if evaluation else None,
        coverage=evaluation.coverage if evaluation else None,
        needs=needs_of(session, viewer=viewer, person_id=person_id, today=today),
    )


def _items(session: Session, viewer: Viewer, person_id: int) -> list[tuple[Any, ...]]:
    """The person's items the viewer may see, in their order on the card."""
    item = m.ScorecardItem
    kpi, initiative = _ITEM_KPI, _ITEM_INITIATIVE
    rows = session.execute(
        select(item, kpi, initiative)
        .outerjoin(kpi, and_(kpi.id == item.kpi_id, kpi.archived_at.is_(None)))
        .outerjoin(
            initiative, and_(initiative.id == item.initiative_id, initiative.archived_at.is_(None))
        )
        .where(item.person_id == person_id)
        .where(
            ((item.kpi_id.is_not(None)) & kpi.id.is_not(None) & kpi_visible(viewer, kpi))
            | (
                (item.initiative_id.is_not(None))
                & initiative.id.is_not(None)
                & initiative_visible(viewer, initiative)
            )
        )
        .order_by(item.position, item.id)
    ).all()
    return [tuple(r) for r in rows]


def _kpi_views(session: Session, items: list[tuple[Any, ...]]) -> list[ItemView]:
    # The same statements whether the card has KPIs or not: a page's query count is fixed.
    e = m.KpiEvaluation
    keys = {(i[0].kpi_id, i[0].unit_id) for i in items}

    def series(table: Any) -> Any:
        """Only the card's series: a broken-down KPI has a slice per unit, thousands at scale."""
        return or_(
            false(),
            *(
                and_(
                    table.kpi_id == kpi_id,
                    table.unit_id.is_(None) if unit_id is None else table.unit_id == unit_id,
                )
                for kpi_id, unit_id in sorted(keys, key=repr)
            ),
        )

    latest = {
        (row.kpi_id, row.unit_id): row
        for row in session.execute(select(e).where(e.latest.is_(True), series(e))).scalars().all()
    }
    history: dict[tuple[int, int | None], list[tuple[str, float | None]]] = defaultdict(list)
    for kpi_id, unit_id, period, actual in session.execute(
        select(e.kpi_id, e.unit_id, e.period, e.actual)
        .where(series(e), e.partial.is_(False))
        .order_by(e.kpi_id, e.unit_id, e.period)
    ):
        history[(kpi_id, unit_id)].append((period, actual))
    forecasts = {
        (f.kpi_id, f.unit_id): f
        for f in session.execute(select(m.KpiForecast).where(series(m.KpiForecast))).scalars().all()
    }
    units = {
        u.id: u
        for u in session.execute(
            select(m.Unit).where(m.Unit.id.in_({i[0].unit_id for i in items if i[0].unit_id}))
        ).scalars()
    }
    views = []
    for item, kpi, _ in items:
        key = (item.kpi_id, item.unit_id)
        row = latest.get(key)
        forecast = forecasts.get(key)
        unit = units.get(item.unit_id) if item.unit_id else None
        view = kpi_item(
            kpi,
            row,
            forecast,
            [a for _, a in history.get(key, [])[-HISTORY:]],
            role=str(item.role),
            weight=item.weight,
        )
        view.unit, view.unit_name = (unit.slug, unit.name) if unit else (None, None)
        views.append(view)
    return views


def kpi_item(
    kpi: m.Kpi,
    row: m.KpiEvaluation | None,
    forecast: m.KpiForecast | None,
    history: list[float | None],
    *,
    role: str = "",
    weight: float = 1.0,
) -> ItemView:
    """A KPI as a scorecard row (or the KPI page's head): its latest evaluation, if any."""
    return ItemView(
        kind="kpi",
        id=kpi.slug,
        name=kpi.name,
        role=role,
        weight=weight,
        status=row.status if row else "no_data",
        score=row.score if row else None,
        period=row.period if row else None,
        actual=row.actual if row else None,
        target=row.target if row else None,
        red_flag=row.red_flag if row else None,
        stretch=row.stretch if row else None,
        lo=row.lo if row else None,
        hi=row.hi if row else None,
        red_lo=row.red_lo if row else None,
        red_hi=row.red_hi if row else None,
        polarity=str(kpi.polarity),
        unit_of_measure=kpi.unit_of_measure,
        trend=row.trend if row else None,
        forecast=forecast_record(forecast),
        history=history,
    )


def _initiative_views(session: Session, items: list[tuple[Any, ...]]) -> list[ItemView]:
    ids = {i[0].initiative_id for i in items}
    health = {
        h.initiative_id: h
        for h in session.execute(
            select(m.InitiativeEvaluation).where(m.InitiativeEvaluation.initiative_id.in_(ids))
        ).scalars()
    }
    views = []
    for item, _, initiative in items:
        h = health.get(item.initiative_id)
        views.append(
            ItemView(
                kind="initiative",
                id=initiative.slug,
                name=initiative.name,
                role=str(item.role),
                weight=item.weight,
                status=h.health if h else "no_data",
                score=h.score if h else None,
                percent_complete=h.percent_complete if h else None,
                time_elapsed=h.time_elapsed if h else None,
                end=initiative.end_date,
            )
        )
    return views


def reporting_line(session: Session, *, viewer: Viewer, person_id: int) -> list[PersonRef]:
    """The person's managers, nearest first, each linked only if the viewer may see them."""
    from aligna.web.access import person_visible

    up = (
        select(m.Person.id, m.Person.manager_id, m.Person.slug, m.Person.name, m.Person.position)
        .where(m.Person.id == person_id)
        .cte("line", recursive=True)
    )
    up = up.union_all(
        select(
            m.Person.id, m.Person.manager_id, m.Person.slug, m.Person.name, m.Person.position
        ).where(m.Person.id == up.c.manager_id)
    )
    rows = session.execute(
        select(up.c.id, up.c.manager_id, up.c.slug, up.c.name, up.c.position)
    ).all()
    ids = [r.id for r in rows if r.id != person_id]
    visible = set(
        session.execute(
            select(m.Person.id).where(m.Person.id.in_(ids), person_visible(viewer))
        ).scalars()
    )
    by_id = {r.id: r for r in rows}
    line: list[PersonRef] = []
    current = by_id.get(person_id)
    seen = {person_id}
    while current is not None and current.manager_id is not None and current.manager_id not in seen:
        seen.add(current.manager_id)
        current = by_id.get(current.manager_id)
        if current is None:
            break
        line.append(PersonRef(current.slug, current.name, current.position, current.id in visible))
    return line


def needs_of(session: Session, *, viewer: Viewer, person_id: int, today: date) -> NeedsMe:
    """Open exceptions the person owns and milestones of their initiatives due in 30 days."""
    x = m.PerformanceException
    kpi, initiative, unit = _ITEM_KPI, _ITEM_INITIATIVE, _EXCEPTION_UNIT
    exceptions = [
        {
            "id": row.PerformanceException.id,
            "kind": row.PerformanceException.kind,
            "period": row.PerformanceException.period,
            "detail": row.PerformanceException.detail,
            "opened_at": row.PerformanceException.opened_at,
            "kpi": row.kpi_slug,
            "initiative": row.initiative_slug,
            "unit": row.unit_slug,
        }
        for row in session.execute(
            select(
                x,
                kpi.slug.label("kpi_slug"),
                initiative.slug.label("initiative_slug"),
                unit.slug.label("unit_slug"),
            )
            .outerjoin(kpi, kpi.id == x.kpi_id)
            .outerjoin(initiative, initiative.id == x.initiative_id)
            .outerjoin(unit, unit.id == x.unit_id)
            .where(x.owner_id == person_id, x.closed_at.is_(None))
            .where(
                (x.kpi_id.is_(None) | kpi_visible(viewer, kpi))
                & (x.initiative_id.is_(None) | initiative_visible(viewer, initiative))
            )
            .order_by(x.opened_at.desc(), x.id)
            .limit(50)
        )
    ]
    soon = today + timedelta(days=30)
    milestones = [
        {
            "initiative": slug,
            "initiative_name": iname,
            "name": name,
            "due": due,
            "overdue": due < today,
            "percent_complete": done,
        }
        for slug, iname, name, due, done in session.execute(
            select(
                m.Initiative.slug,
                m.Initiative.name,
                m.Milestone.name,
                m.Milestone.due,
                m.Milestone.percent_complete,
            )
            .join(m.Initiative, m.Initiative.id == m.Milestone.initiative_id)
            .where(
                m.Initiative.owner_id == person_id,
                m.Initiative.archived_at.is_(None),
                m.Milestone.due <= soon,
                m.Milestone.percent_complete < 100,
            )
            .order_by(m.Milestone.due)
            .limit(20)
        )
    ]
    return NeedsMe(exceptions, milestones)
