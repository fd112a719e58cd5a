"""The REST API under /api/v1: the same view models and permissions as the pages, as JSON."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from aligna.web.deps import CurrentViewer, DbSession

router = APIRouter(prefix="/api/v1")


class Me(BaseModel):
    """Who the token or session belongs to and what they may do."""

    account_id: int | None
    person: str | None
    role: str
    roles: list[str]
    manager: bool


@router.get("/me", response_model=Me, tags=["account"], summary="Who am I")
def me(viewer: CurrentViewer, session: DbSession) -> Me:
    """The signed-in account, its person and roles."""
    from aligna import model as m

    person = session.get(m.Person, viewer.person_id) if viewer.person_id else None
    return Me(
        account_id=viewer.account_id,
        person=person.slug if person else None,
        role=viewer.role_name,
        roles=sorted(viewer.roles),
        manager=viewer.is_manager,
    )
