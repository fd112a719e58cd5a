"""Your in-app inbox: the messages delivered to you, newest first, and marking them read."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator

from aligna.web.api.pagination import Page, Paging, page_of
from aligna.web.api.problems import NO_PERSON, no_person
from aligna.web.deps import Context, Csrf, CurrentViewer, DbSession
from aligna.web.views.inbox import header_unread, inbox_items, mark_all_read, mark_items_read

router = APIRouter(tags=["inbox"])
MAX_IDS = 1000


class InboxItemOut(BaseModel):
    """A message in your inbox."""

    id: int
    subject: str
    body: str = Field(description="The gist of the message, without its footer, cut short.")
    link: str = Field(description="The path inside aligna it is about, e.g. /exceptions/12.")
    event_kind: str
    created_at: datetime
    read_at: datetime | None = Field(description="When you read it; null while unread.")


class InboxPage(Page[InboxItemOut]):
    """One page of your inbox, newest first, with how many items are unread in all."""

    unread: int = Field(description="Unread items in the whole inbox.")


class MarkRead(BaseModel):
    """Which items to mark read: some by id, or all of them."""

    ids: list[int] = Field(default_factory=list, max_length=MAX_IDS)
    all: bool = Field(default=False, description="Mark every unread item read.")

    @model_validator(mode="after")
    def _one_of(self) -> MarkRead:
        if not self.ids and not self.all:
            raise ValueError("give the ids of the items to mark read, or all: true")
        return self


class MarkedRead(BaseModel):
    """What marking read did."""

    marked: int = Field(description="Items that were unread and now are read.")
    unread: int = Field(description="Unread items left.")


@router.get("/me/inbox", response_model=InboxPage, summary="My inbox")
def my_inbox(
    request: Request, response: Response, viewer: CurrentViewer, session: DbSession, paging: Paging
) -> InboxPage:
    """The messages delivered to your in-app inbox, newest first (empty for an account that
    belongs to no person)."""
    if viewer.person_id is None:
        rows, total, unread = [], 0, 0
    else:
        rows, total = inbox_items(
            session, person_id=viewer.person_id, offset=paging.offset, limit=paging.per_page
        )
        unread = header_unread(session, viewer.person_id)
    items = [
        InboxItemOut(
            id=r.id,
            subject=r.subject,
            body=r.body,
            link=r.link,
            event_kind=r.event_kind,
            created_at=r.created_at,
            read_at=r.read_at,
        )
        for r in rows
    ]
    page = page_of(request, response, items, paging, total)
    return InboxPage(**page.model_dump(exclude={"items"}), items=items, unread=unread)


@router.post(
    "/me/inbox/read",
    response_model=MarkedRead,
    summary="Mark inbox items read",
    dependencies=[Csrf],
    responses=NO_PERSON,
)
def mark_inbox_read(
    body: MarkRead, viewer: CurrentViewer, session: DbSession, ctx: Context
) -> MarkedRead:
    """Mark some of your items read (`{"ids": [...]}`) or all of them (`{"all": true}`).
    Ids of someone else's items are ignored, as are items already read."""
    if viewer.person_id is None:
        raise no_person()
    if body.all:
        marked = mark_all_read(session, person_id=viewer.person_id, now=ctx.now())
    else:
        ids = sorted(set(body.ids))
        marked = mark_items_read(session, person_id=viewer.person_id, item_ids=ids, now=ctx.now())
    session.commit()
    return MarkedRead(marked=marked, unread=header_unread(session, viewer.person_id))
