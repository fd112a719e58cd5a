"""KPIs: the list with filters, one KPI with its definition and latest record, its history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.enums import Aggregation, Polarity
from aligna.evaluate.read import forecast_record
from aligna.periods import Frequency
from aligna.web.access import person_visible, unit_subtree
from aligna.web.api.pagination import Page, Paging, fetch_page, page_of
from aligna.web.api.records import (
    EvaluationRecord,
    Forecast,
    HistoryRecord,
    PersonRef,
    Ref,
    SightStep,
    Status,
    history_record,
    person_ref,
    point_record,
    sight,
)
from aligna.web.deps import CurrentViewer, DbSession, NotFound
from aligna.web.views.kpi import find_kpi, kpi_page
from aligna.web.views.map import kpi_rows

router = APIRouter(tags=["kpis"])


class KpiSummary(BaseModel):
    """A KPI in a list, with its latest status (whole organisation)."""

    id: str
    name: str
    unit_of_measure: str
    polarity: Polarity
    frequency: Frequency
    owner: PersonRef
    unit: Ref = Field(description="The KPI's own unit.")
    process: str | None = Field(description="The id of the process it measures, if any.")
    status: Status
    score: float | None
    period: str | None = Field(description="The latest closed period evaluated.")
    actual: float | None
    target: float | None


class Source(BaseModel):
    """Where the KPI's values come from: a query on a warehouse connection, or manual entry."""

    kind: Literal["query", "manual"]
    connection: str | None
    query: str | None


class Influencer(BaseModel):
    """A person or unit who affects the KPI, and how."""

    kind: str
    person: PersonRef | None
    unit: Ref | None


class ObjectiveLink(BaseModel):
    """An objective the KPI serves, with the KPI's weight in its roll-up."""

    id: str
    name: str
    weight: float


class Slice(BaseModel):
    """A unit's slice of a broken-down KPI, with its latest status."""

    unit: Ref
    status: Status | None
    score: float | None
    actual: float | None


class LastRefresh(BaseModel):
    """The last run of the KPI's query."""

    started_at: datetime
    finished_at: datetime
    ok: bool
    error: str
    rows: int
    new_values: int
    revised_values: int


class KpiDetail(BaseModel):
    """A KPI: definition, polarity, frequency, people, source, objectives, latest record."""

    id: str
    name: str
    definition: str
    unit_of_measure: str
    polarity: Polarity
    frequency: Frequency
    aggregation: Aggregation
    public: bool
    restricted: bool = Field(description="Seen only by named people and units.")
    owner: PersonRef
    unit: Ref
    process: str | None
    source: Source
    last_refresh: LastRefresh | None
    influencers: list[Influencer]
    objectives: list[ObjectiveLink]
    slices: list[Slice]
    slice: str | None = Field(description="The unit of the slice shown, or null.")
    latest: EvaluationRecord | None = Field(description="The latest closed period's record.")
    forecast: Forecast | None
    line_of_sight: list[list[SightStep]]


def unit_id_of(session: Session, unit: str | None) -> int | None:
    """A unit's integer key by its id (units are visible to everyone signed in); 404 if none."""
    if unit is None:
        return None
    found = session.execute(
        select(m.Unit.id).where(m.Unit.slug == unit, m.Unit.archived_at.is_(None))
    ).scalar()
    if found is None:
        raise NotFound("unit")
    return found


@router.get("/kpis", response_model=Page[KpiSummary], summary="List KPIs")
def list_kpis(
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    status: Annotated[Status | None, Query(description="Latest status.")] = None,
    unit: Annotated[str | None, Query(description="A unit: KPIs of its subtree.")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in the name.")] = "",
    owner: Annotated[str | None, Query(description="The owner's person id.")] = None,
    objective: Annotated[str | None, Query(description="An objective the KPI serves.")] = None,
) -> Page[KpiSummary]:
    """The KPIs you may see, by name, with their latest status; `total` counts only those."""
    unit_id = unit_id_of(session, unit)
    statement = kpi_rows(
        viewer, scope=unit_subtree(session, unit_id) if unit_id else None, query=q.strip()
    ).order_by(m.Kpi.slug)  # after the name: pages need a total order
    e = m.KpiEvaluation
    home = m.Unit
    statement = statement.join(home, home.id == m.Kpi.unit_id).add_columns(
        m.Kpi.polarity,
        m.Kpi.frequency,
        m.Person.slug.label("owner_id"),
        m.Person.position.label("owner_position"),
        person_visible(viewer).label("owner_visible"),
        home.slug.label("unit_id"),
        home.name.label("unit_name"),
        e.score,
        e.period,
    )
    if status is not None:
        statement = statement.where(func.coalesce(e.status, "no_data") == status)
    if owner is not None:
        # A filter on a field of visible KPIs: an unknown and a hidden person both match none.
        statement = statement.where(m.Person.slug == owner)
    if objective is not None:
        statement = statement.where(
            m.Kpi.id.in_(
                select(m.KpiObjective.kpi_id)
                .join(m.Objective, m.Objective.id == m.KpiObjective.objective_id)
                .where(m.Objective.slug == objective)
            )
        )
    rows, total = fetch_page(session, statement, paging)
    items = [
        KpiSummary(
            id=r.slug,
            name=r.name,
            unit_of_measure=r.unit_of_measure,
            polarity=r.polarity,
            frequency=r.frequency,
            owner=PersonRef(
                id=r.owner_id,
                name=r.owner,
                position=r.owner_position,
                visible=bool(r.owner_visible),
            ),
            unit=Ref(id=r.unit_id, name=r.unit_name),
            process=r.process,
            status=r.status,
            score=r.score,
            period=r.period,
            actual=r.actual,
            target=r.target,
        )
        for r in rows
    ]
    return page_of(request, response, items, paging, total)


@router.get("/kpis/{kpi}", response_model=KpiDetail, summary="One KPI")
def get_kpi(
    kpi: str,
    viewer: CurrentViewer,
    session: DbSession,
    unit: Annotated[str | None, Query(description="A unit: its slice of the KPI.")] = None,
) -> KpiDetail:
    """A KPI with its definition, people, source, objectives, latest record and forecast."""
    found = find_kpi(session, viewer, kpi)
    if found is None:
        raise NotFound("KPI")
    view = kpi_page(session, viewer=viewer, kpi=found, unit_id=unit_id_of(session, unit))
    item = view.item
    point = next((p for p in view.history if p["period"] == item.period and not p["partial"]), None)
    return KpiDetail(
        id=found.slug,
        name=found.name,
        definition=view.definition,
        unit_of_measure=found.unit_of_measure,
        polarity=found.polarity,
        frequency=found.frequency,
        aggregation=found.aggregation,
        public=view.public,
        restricted=view.restricted,
        owner=person_ref(view.owner),
        unit=Ref(id=view.home_unit[0], name=view.home_unit[1]),
        process=_process_slug(session, found),
        source=Source(
            kind="manual" if view.source == "manual" else "query",
            connection=view.connection,
            query=view.query,
        ),
        last_refresh=LastRefresh(**view.last_refresh) if view.last_refresh else None,
        influencers=[_influencer(i) for i in view.influencers],
        objectives=[ObjectiveLink(**o) for o in view.objectives],
        slices=[
            Slice(
                unit=Ref(id=s["unit"], name=s["name"]),
                status=s["status"],
                score=s["score"],
                actual=s["actual"],
            )
            for s in view.slices
        ],
        slice=unit,
        latest=point_record(point, found.slug, unit, item.forecast) if point else None,
        forecast=Forecast(**item.forecast) if item.forecast else None,
        line_of_sight=sight(view.sight),
    )


def _process_slug(session: Session, kpi: m.Kpi) -> str | None:
    if kpi.process_id is None:
        return None
    return session.execute(select(m.Process.slug).where(m.Process.id == kpi.process_id)).scalar()


def _influencer(row: dict[str, Any]) -> Influencer:
    unit = row["unit"]
    return Influencer(
        kind=row["kind"].replace("-", "_"),
        person=person_ref(row["person"]) if row["person"] else None,
        unit=Ref(id=unit[0], name=unit[1]) if unit else None,
    )


@router.get(
    "/kpis/{kpi}/evaluations",
    response_model=Page[HistoryRecord],
    summary="A KPI's evaluation history",
)
def kpi_evaluations(
    kpi: str,
    request: Request,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    paging: Paging,
    unit: Annotated[str | None, Query(description="A unit: its slice's history.")] = None,
) -> Page[HistoryRecord]:
    """Every evaluated period of the KPI (or a unit's slice), newest first."""
    found = find_kpi(session, viewer, kpi)
    if found is None:
        raise NotFound("KPI")
    unit_id = unit_id_of(session, unit)
    e = m.KpiEvaluation
    statement = (
        select(e)
        .where(
            e.kpi_id == found.id, e.unit_id.is_(None) if unit_id is None else e.unit_id == unit_id
        )
        .order_by(e.period.desc())
    )
    rows, total = fetch_page(session, statement, paging)
    forecast = _forecast(session, found.id, unit_id) if any(r[0].latest for r in rows) else None
    items = [
        history_record(r[0], found.slug, unit, forecast if r[0].latest else None) for r in rows
    ]
    return page_of(request, response, items, paging, total)


def _forecast(session: Session, kpi_id: int, unit_id: int | None) -> dict[str, Any] | None:
    """The stored forecast, made as of the latest closed period (shown on that record)."""
    f = m.KpiForecast
    return forecast_record(
        session.execute(
            select(f).where(
                f.kpi_id == kpi_id, f.unit_id.is_(None) if unit_id is None else f.unit_id == unit_id
            )
        ).scalar()
    )
