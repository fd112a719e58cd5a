"""Manual KPI values: written by the KPI's owner, admins or the strategy office, and audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.measure.contract import check_period, check_unit
from aligna.measure.record import ManualValue, RecordError, record_values
from aligna.measure.selection import UnitTree, kpi_shape
from aligna.web.access import STRATEGY_OFFICE, Viewer
from aligna.web.api.problems import CONFLICT, FORBIDDEN
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, Forbidden, NotFound
from aligna.web.views.kpi import find_kpi

router = APIRouter(tags=["kpis"])

# Strict: "12.5" as text is refused, so a client's mistake is named rather than guessed at.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class ValueIn(BaseModel):
    """One manual value: the period ISO-style at the KPI's frequency, the value, a unit slice."""

    period: str = Field(examples=["2026-05"])
    value: Number
    unit: str | None = Field(default=None, description="A unit of a broken-down KPI, or null.")
    note: str = Field(default="", max_length=2000)


class ValuesIn(BaseModel):
    """The values to record, all or none."""

    values: list[ValueIn] = Field(min_length=1, max_length=5000)


class ValueWritten(BaseModel):
    """A value stored: its revision, and the value it replaced when it revised one."""

    period: str
    unit: str | None
    value: float
    revision: int
    previous: float | None


class ValuesWritten(BaseModel):
    """What was written, in one audited change set."""

    kpi: str
    change_set: int | None = Field(description="The audit change set, null if nothing changed.")
    written: list[ValueWritten]
    unchanged: int = Field(description="Values equal to the stored ones: not written again.")


def may_write(viewer: Viewer, kpi: m.Kpi) -> bool:
    """Manual values are written by the KPI's owner, admins and the strategy office."""
    return viewer.is_admin or STRATEGY_OFFICE in viewer.roles or kpi.owner_id == viewer.person_id


@router.post(
    "/kpis/{kpi}/values",
    response_model=ValuesWritten,
    status_code=201,
    summary="Record manual KPI values",
    dependencies=[Csrf],
    responses={**FORBIDDEN, **CONFLICT},
)
def record_kpi_values(
    kpi: str, body: ValuesIn, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> ValuesWritten:
    """Record values of a manual KPI, validated and audited with your account as the actor.

    A cookie session must send its CSRF token in `X-CSRF-Token`; an API token needs none.
    """
    found = find_kpi(session, viewer, kpi)
    if found is None:
        raise NotFound("KPI")
    if not may_write(viewer, found):
        raise Forbidden()
    if not found.source_manual:
        raise HTTPException(
            409, f"KPI '{found.slug}' takes its values from a query, expected a manual KPI"
        )
    today = ctx.today()
    _check_rows(session, found, body.values, today)
    values = [
        ManualValue(
            kpi=found.slug, period=v.period, value=repr(v.value), unit=v.unit or "", note=v.note
        )
        for v in body.values
    ]
    try:
        result = record_values(
            session,
            values,
            actor=_actor(session, viewer),
            message=f"recorded {len(values)} value(s) of {found.slug} through the API",
            origin="api",
            today=today,
            now=ctx.now(),
        )
    except RecordError as error:  # anything the row checks above did not name
        session.rollback()
        raise _invalid([(("body", "values"), p) for p in error.problems]) from None
    session.commit()
    return ValuesWritten(
        kpi=found.slug,
        change_set=result.change_set_id,
        written=[
            ValueWritten(
                period=w.change.reading.period,
                unit=w.unit or None,
                value=w.change.reading.value,
                revision=w.change.revision,
                previous=w.change.previous,
            )
            for w in result.written
        ],
        unchanged=result.unchanged,
    )


def _check_rows(session: Session, kpi: m.Kpi, rows: list[ValueIn], today: Any) -> None:
    """Name every bad row and field (`body.values.2.period`) with the checks record_values uses."""
    shape = kpi_shape(kpi, UnitTree(session) if kpi.breakdown_unit_kind else None)
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[tuple[str, int | None], int] = {}
    for index, row in enumerate(rows):
        where = ("body", "values", index)
        period = unit_id = None
        try:
            period = check_period(row.period, shape, today)
        except ValueError as exc:
            problems.append(((*where, "period"), str(exc)))
        try:
            unit_id = check_unit(row.unit, shape)
        except ValueError as exc:
            problems.append(((*where, "unit"), str(exc)))
        if period is None:
            continue
        first = seen.setdefault((period, unit_id), index)
        if first != index:
            problems.append(
                (
                    (*where, "period"),
                    f"{period} is given again (first at row {first}), "
                    "expected one value per period",
                )
            )
    if problems:
        raise _invalid(problems)


def _invalid(problems: list[tuple[tuple[Any, ...], str]]) -> RequestValidationError:
    """A 422 shaped like FastAPI's own, so every invalid field reads the same."""
    return RequestValidationError(
        [{"loc": loc, "msg": message, "type": "value_error"} for loc, message in problems]
    )


def _actor(session: Session, viewer: Viewer) -> str:
    """The audit actor: the account's email."""
    email = session.execute(
        select(m.Account.email).where(m.Account.id == viewer.account_id)
    ).scalar()
    return email or f"account:{viewer.account_id}"
