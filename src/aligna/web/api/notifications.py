"""Your notification preferences: per event kind, immediately, daily, weekly, off or default."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from aligna.channels.preferences import KINDS, PreferenceError, set_preferences
from aligna.web.api.problems import NO_PERSON, no_person
from aligna.web.deps import Csrf, CurrentViewer, DbSession
from aligna.web.views.preferences import preference_rows

router = APIRouter(tags=["account"])
Delivery = Literal["immediately", "daily", "weekly", "off"]


class Defaults(BaseModel):
    """What applies without a choice, by why you hear of it."""

    owner: Delivery = Field(description="As the owner, or a manager it is escalated to.")
    influencer: Delivery = Field(description="As an influencer or a follower.")


class Preference(BaseModel):
    """One event kind (or `digest`, the cadence of your digest)."""

    kind: str = Field(examples=["exception_opened"])
    label: str
    delivery: Delivery | None = Field(description="Your choice; null: the default applies.")
    default: Defaults


class Preferences(BaseModel):
    """Every event kind with your choice and its default."""

    preferences: list[Preference]


class PreferencesIn(BaseModel):
    """Choices by kind; null (or "default") goes back to the default. Kinds left out keep
    their choice."""

    deliveries: dict[str, str | None] = Field(
        examples=[{"exception_opened": "immediately", "status_changed": "off", "digest": None}],
        max_length=len(KINDS),
    )


def _preferences(session: Session, person_id: int) -> Preferences:
    return Preferences(
        preferences=[
            Preference(
                kind=row.kind,
                label=row.label,
                delivery=row.chosen,  # type: ignore[arg-type]
                default=Defaults(
                    owner=row.default_owner,  # type: ignore[arg-type]
                    influencer=row.default_influencer,  # type: ignore[arg-type]
                ),
            )
            for row in preference_rows(session, person_id)
        ]
    )


@router.get(
    "/me/notifications",
    response_model=Preferences,
    summary="My notification preferences",
    responses=NO_PERSON,
)
def my_preferences(viewer: CurrentViewer, session: DbSession) -> Preferences:
    """For each event kind: how you chose to hear of it (or null), and the defaults."""
    if viewer.person_id is None:
        raise no_person()
    return _preferences(session, viewer.person_id)


@router.put(
    "/me/notifications",
    response_model=Preferences,
    summary="Set my notification preferences",
    dependencies=[Csrf],
    responses=NO_PERSON,
)
def set_my_preferences(
    body: PreferencesIn, viewer: CurrentViewer, session: DbSession
) -> Preferences:
    """Set how you hear of some event kinds; all are checked before any is changed. `digest`
    takes daily, weekly or off."""
    if viewer.person_id is None:
        raise no_person()
    try:
        set_preferences(session, viewer.person_id, dict(body.deliveries))
    except PreferenceError as error:
        session.rollback()
        unknown = [k for k in body.deliveries if k not in KINDS]
        named = [k for k in body.deliveries if str(error).startswith(f"{k}:")]
        kind = (unknown or named or [None])[0]
        where = ("body", "deliveries", kind) if kind else ("body", "deliveries")
        raise RequestValidationError(
            [{"loc": where, "msg": str(error), "type": "value_error"}]
        ) from None
    session.commit()
    return _preferences(session, viewer.person_id)
