"""One performance exception with its timeline; acknowledging it, turning it into a commitment."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, HTTPException, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from aligna.channels.acknowledgement import (
    NOTE_LENGTH,
    ExceptionActionError,
    acknowledge,
    commit,
)
from aligna.web.access import Viewer
from aligna.web.api.exceptions import ExceptionRecord
from aligna.web.api.problems import MAY_NOT_ACT, RESOLVED
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession, NotFound
from aligna.web.views.exception import ExceptionView, find_exception, viewer_action

router = APIRouter(tags=["exceptions"])


class TimelineEvent(BaseModel):
    """One step of an exception's life, oldest first."""

    kind: str = Field(
        description="exception_opened, exception_escalated, exception_acknowledged, "
        "exception_committed, commitment_missed or exception_resolved."
    )
    at: datetime
    level: int | None = Field(description="The escalation level at that step.")
    actor: str = Field(description="Who acted: a person's name, an account, or aligna.")
    actor_person: str | None = Field(description="The acting person's id, if a person acted.")
    note: str
    deadline: date | None = Field(description="A commitment's deadline.")
    detail: str


class ExceptionDetail(ExceptionRecord):
    """An exception with where it stands on the reporting line, what was done, and its timeline."""

    level: int = Field(description="0: with the owner; n: escalated to the owner's n-th manager.")
    level_words: str = Field(examples=["escalated to Ingrid Zhang (level 1)"])
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(description="The id of the person who acknowledged it.")
    commitment: str = Field(description="What will be done, when it was made a commitment.")
    commitment_due: date | None
    may_act: bool = Field(description="Whether you may acknowledge it or commit on it.")
    timeline: list[TimelineEvent]


class AcknowledgeIn(BaseModel):
    """An acknowledgement: what is being done about the exception."""

    note: str = Field(max_length=NOTE_LENGTH, examples=["Two hires start in July; see plan."])


class CommitmentIn(BaseModel):
    """A commitment: what will be done, and the day it will be done by (today or later)."""

    commitment: str = Field(max_length=NOTE_LENGTH, examples=["Clear the backlog"])
    deadline: date = Field(examples=["2026-07-31"])


def detail_of(view: ExceptionView) -> ExceptionDetail:
    """The API's record of an exception view."""
    return ExceptionDetail(
        id=view.id,
        kind=view.kind,
        kpi=view.kpi,
        unit=view.unit,
        initiative=view.initiative,
        period=view.period,
        owner=view.owner,
        detail=view.detail,
        opened_at=view.opened_at,
        closed_at=view.closed_at,
        level=view.level,
        level_words=view.level_words,
        acknowledged_at=view.acknowledged_at,
        acknowledged_by=view.acknowledged_by,
        commitment=view.commitment,
        commitment_due=view.commitment_due,
        may_act=view.may_act,
        timeline=[
            TimelineEvent(
                kind=step.kind,
                at=step.at,
                level=step.level,
                actor=step.actor,
                actor_person=step.actor_person,
                note=step.note,
                deadline=step.deadline,
                detail=step.detail,
            )
            for step in view.timeline
        ],
    )


def _visible(session: Session, viewer: Viewer, exception_id: int) -> ExceptionView:
    view = find_exception(session, viewer, exception_id)
    if view is None:
        raise NotFound("exception")
    return view


def _actionable(session: Session, viewer: Viewer, exception_id: int) -> ExceptionView:
    """An open exception the viewer may act on: 404 hidden, 403 may not act, 409 resolved."""
    view = _visible(session, viewer, exception_id)
    if not view.may_act:
        raise HTTPException(
            403, "only the owner, the managers above the owner and admins may act on an exception"
        )
    if not view.is_open:
        raise HTTPException(409, f"exception {view.id} is already resolved: its cause went away")
    return view


def _invalid(field: str, error: ExceptionActionError) -> RequestValidationError:
    """The service's refusal as a 422 naming the field, like FastAPI's own."""
    return RequestValidationError(
        [{"loc": ("body", field), "msg": str(error), "type": "value_error"}]
    )


@router.get("/exceptions/{id}", response_model=ExceptionDetail, summary="One exception")
def get_exception(id: int, viewer: CurrentViewer, session: DbSession) -> ExceptionDetail:
    """An exception you may see (its item's viewers, its owner and the managers above the
    owner), with its escalation level, acknowledgement, commitment and timeline."""
    return detail_of(_visible(session, viewer, id))


@router.post(
    "/exceptions/{id}/acknowledge",
    response_model=ExceptionDetail,
    summary="Acknowledge an exception",
    dependencies=[Csrf],
    responses={**MAY_NOT_ACT, **RESOLVED},
)
def acknowledge_exception(
    id: int, body: AcknowledgeIn, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> ExceptionDetail:
    """Acknowledge an open exception with a note saying what is being done; it stops climbing
    the reporting line. For its owner, the managers above the owner, and admins."""
    view = _actionable(session, viewer, id)
    try:
        acknowledge(
            session,
            exception_id=view.id,
            by=viewer_action(session, viewer),
            note=body.note,
            now=ctx.now(),
        )
    except ExceptionActionError as error:
        session.rollback()
        raise _invalid("note", error) from None
    session.commit()
    return detail_of(_visible(session, viewer, id))


@router.post(
    "/exceptions/{id}/commitment",
    response_model=ExceptionDetail,
    status_code=201,
    summary="Turn an exception into a commitment",
    dependencies=[Csrf],
    responses={**MAY_NOT_ACT, **RESOLVED},
)
def commit_on_exception(
    id: int,
    body: CommitmentIn,
    response: Response,
    viewer: CurrentViewer,
    session: DbSession,
    ctx: Context,
) -> ExceptionDetail:
    """Turn an open exception into a commitment: what will be done, by a deadline (today or
    later). It stops climbing until the deadline passes with the exception still open."""
    view = _actionable(session, viewer, id)
    today = ctx.today()
    try:
        commit(
            session,
            exception_id=view.id,
            by=viewer_action(session, viewer),
            commitment=body.commitment,
            deadline=body.deadline,
            today=today,
            now=ctx.now(),
        )
    except ExceptionActionError as error:
        session.rollback()
        raise _invalid("deadline" if body.deadline < today else "commitment", error) from None
    session.commit()
    response.headers["Location"] = f"/api/v1/exceptions/{view.id}"
    return detail_of(_visible(session, viewer, id))
