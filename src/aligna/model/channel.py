"""The outbox of messages to people, and the in-app inbox they land in.

A message is written in the same transaction as the event that causes it, then sent by a
worker (aligna.channels.outbox); see docs/channels.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aligna.enums import TransportName
from aligna.model.base import Base, UTCDateTime, enum_column, utcnow
from aligna.model.org import Person

KEY_LENGTH = 255


class Message(Base):
    """One message to one person by one transport, waiting to be sent or kept as sent."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The worker's query: what is still pending, by when it is due.
        Index(
            "ix_outbox_message_pending",
            "due_at",
            sqlite_where=text("sent_at IS NULL AND dead_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND dead_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same event for the same person and transport is written once, however often asked.
    idempotency_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    transport: Mapped[TransportName] = mapped_column(enum_column(TransportName, "transport_name"))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, default=None)
    link: Mapped[str] = mapped_column(String(1000), default="")  # a path inside aligna
    event_kind: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the next attempt
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")  # secrets already masked
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A worker's claim; it expires, so a killed worker's messages are picked up again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(200), default=None)

    person: Mapped[Person] = relationship(lazy="raise")


class InboxItem(Base):
    """A message delivered to a person's in-app inbox."""

    __tablename__ = "inbox_item"
    # The unread count in every page header.
    __table_args__ = (Index("ix_inbox_item_person_read", "person_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    message: Mapped[Message] = relationship(lazy="raise")
