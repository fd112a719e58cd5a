"""A person's in-app inbox as pages and the API show it: items, the unread count, marking read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.inbox import mark_read, unread_count

PAGE_SIZE = 50
SHORT_BODY = 240
FOOTER = "\n\n-- \n"  # the signature separator of composed messages: the footer follows it


@dataclass(frozen=True)
class InboxRow:
    """One inbox item: its message's subject, a short body, when, and where it leads."""

    id: int
    subject: str
    body: str
    link: str
    event_kind: str
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        """Whether the person has not read it yet."""
        return self.read_at is None


@dataclass(frozen=True)
class InboxPage:
    """One page of a person's inbox, newest first, with the unread count."""

    rows: list[InboxRow]
    number: int
    size: int
    total: int
    unread: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, math.ceil(self.total / self.size))


def short_body(text: str, limit: int = SHORT_BODY) -> str:
    """The gist of a message body: without its footer and link line, on one line, cut short."""
    text = text.split(FOOTER, 1)[0]
    parts = [
        " ".join(part.split())
        for part in text.split("\n\n")
        if part.strip() and not part.startswith("Open it: ")
    ]
    joined = " ".join(parts)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def _items(person_id: int) -> Select[Any]:
    i, msg = m.InboxItem, m.Message
    return (
        select(
            i.id,
            i.created_at,
            i.read_at,
            msg.subject,
            msg.body_text,
            msg.link,
            msg.event_kind,
        )
        .join(msg, msg.id == i.message_id)
        .where(i.person_id == person_id)
        .order_by(i.created_at.desc(), i.id.desc())
    )


def _row(r: Any) -> InboxRow:
    return InboxRow(
        id=r.id,
        subject=r.subject,
        body=short_body(r.body_text),
        link=r.link or "/",
        event_kind=r.event_kind,
        created_at=r.created_at,
        read_at=r.read_at,
    )


def inbox_items(
    session: Session, *, person_id: int, offset: int, limit: int
) -> tuple[list[InboxRow], int]:
    """A slice of a person's inbox, newest first, and how many items it holds in all."""
    total = session.execute(
        select(func.count()).select_from(m.InboxItem).where(m.InboxItem.person_id == person_id)
    ).scalar_one()
    if offset >= total:
        return [], total
    rows = session.execute(_items(person_id).limit(limit).offset(offset)).all()
    return [_row(r) for r in rows], total


def inbox_page(session: Session, *, person_id: int, page: int) -> InboxPage:
    """One page of a person's inbox (the last page when asked for one past it)."""
    total = session.execute(
        select(func.count()).select_from(m.InboxItem).where(m.InboxItem.person_id == person_id)
    ).scalar_one()
    number = min(max(1, page), max(1, math.ceil(total / PAGE_SIZE)))
    rows = session.execute(
        _items(person_id).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).all()
    unread = unread_count(session=session, person_id=person_id)
    return InboxPage([_row(r) for r in rows], number, PAGE_SIZE, total, unread)


def item_link(session: Session, *, person_id: int, item_id: int) -> str | None:
    """Where one of the person's own items leads (None: not theirs, or no such item)."""
    return session.execute(
        select(m.Message.link)
        .join(m.InboxItem, m.InboxItem.message_id == m.Message.id)
        .where(m.InboxItem.id == item_id, m.InboxItem.person_id == person_id)
    ).scalar()


def mark_items_read(session: Session, *, person_id: int, item_ids: list[int], now: datetime) -> int:
    """Mark some of the person's own items read; how many were unread."""
    if not item_ids:
        return 0
    return mark_read(session=session, person_id=person_id, item_ids=item_ids, now=now)


def mark_all_read(session: Session, *, person_id: int, now: datetime) -> int:
    """Mark every unread item of the person read, in one statement whatever their number."""
    result = session.execute(
        update(m.InboxItem)
        .where(m.InboxItem.person_id == person_id, m.InboxItem.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def header_unread(session: Session, person_id: int) -> int:
    """The unread count of the page header: one indexed count (ix_inbox_item_person_read)."""
    return unread_count(session=session, person_id=person_id)
