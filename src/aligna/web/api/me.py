"""Who the token or session belongs to."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from aligna import model as m
from aligna.web.deps import CurrentViewer, DbSession

router = APIRouter(tags=["account"])


class Me(BaseModel):
    """Who the token or session belongs to and what they may do."""

    account_id: int | None
    person: str | None = Field(description="Your person's id, if the account has one.")
    role: str = Field(description="Your highest role: admin, strategy office, manager, member.")
    roles: list[str] = Field(description="Roles granted to the account.")
    manager: bool = Field(description="Whether people report to you.")


@router.get("/me", response_model=Me, summary="Who am I")
def me(viewer: CurrentViewer, session: DbSession) -> Me:
    """The signed-in account, its person and roles."""
    person = (
        session.execute(select(m.Person.slug).where(m.Person.id == viewer.person_id)).scalar()
        if viewer.person_id
        else None
    )
    return Me(
        account_id=viewer.account_id,
        person=person,
        role=viewer.role_name,
        roles=sorted(viewer.roles),
        manager=viewer.is_manager,
    )
