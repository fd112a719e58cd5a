"""The in-app inbox store: a person's items, the unread count, marking as read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from aligna.model import InboxItem
from aligna.model.base import utcnow


def unread_count(*, session: Session, person_id: int) -> int:
    """How many items in a person's inbox are unread."""
    query = select(func.count()).where(
        InboxItem.person_id == person_id, InboxItem.read_at.is_(None)
    )
    return session.scalar(query) or 0


def items(*, session: Session, person_id: int, limit: int = 50) -> list[InboxItem]:
    """A person's newest inbox items with their messages."""
    query = (
        select(InboxItem)
        .where(InboxItem.person_id == person_id)
        .options(selectinload(InboxItem.message))
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_read(
    *, session: Session, person_id: int, item_ids: Sequence[int], now: datetime | None = None
) -> int:
    """Mark some of a person's unread items read (never someone else's); how many changed."""
    result = session.execute(
        update(InboxItem)
        .where(
            InboxItem.id.in_(item_ids),
            InboxItem.person_id == person_id,
            InboxItem.read_at.is_(None),
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined]
