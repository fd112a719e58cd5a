"""Channel events, who hears of them and how, the outbox of messages and the in-app inbox.

An event is written in the same transaction as the change that causes it (an exception opened,
a status changed, an acknowledgement); dispatching it writes its notifications and messages in
one transaction; a worker then sends the messages (aligna.channels.outbox). See docs/channels.md.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aligna.enums import Delivery, RecipientRole, TransportName
from aligna.model.base import Base, JSONDocument, UTCDateTime, enum_column, utcnow
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
    # None for a unit's Apprise destination, which hears of its items' events once.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    destination_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprise_destination.id"), default=None
    )
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

    person: Mapped[Person | None] = relationship(lazy="raise")
    destination: Mapped[AppriseDestination | None] = relationship(lazy="raise")


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


class ChannelEvent(Base):
    """Something that happened to an item or an exception: the exception's timeline, and what
    the dispatcher turns into notifications."""

    __tablename__ = "channel_event"
    __table_args__ = (
        # The dispatcher's query: events not dispatched yet, oldest first.
        Index(
            "ix_channel_event_pending",
            "id",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Events found by a job (a status change, a milestone due soon) are written once per cause.
    key: Mapped[str | None] = mapped_column(String(300), unique=True, default=None)
    kind: Mapped[str] = mapped_column(String(40))  # an EventKind
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    exception_id: Mapped[int | None] = mapped_column(
        ForeignKey("performance_exception.id"), index=True, default=None
    )
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), default=None)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), default=None)
    period: Mapped[str | None] = mapped_column(String(16), default=None)
    status_from: Mapped[str | None] = mapped_column(String(32), default=None)
    status_to: Mapped[str | None] = mapped_column(String(32), default=None)
    level: Mapped[int | None] = mapped_column(default=None)  # the escalation level reached
    # Who acted (a person, for acknowledgements and commitments), else the system.
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None)
    actor: Mapped[str] = mapped_column(String(200), default="aligna")
    note: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(default=None)  # a commitment's
    detail: Mapped[str] = mapped_column(Text, default="")
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Notification(Base):
    """One person hearing of one event, and how: the record digests are built from."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        Index("ix_notification_person_created", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("channel_event.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[RecipientRole] = mapped_column(enum_column(RecipientRole, "recipient_role"))
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "delivery"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """A person's choice of delivery for one event kind (or `digest`, their digest's cadence)."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    event_kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "delivery"))


class Follow(Base):
    """A person following a KPI or an initiative, to hear of it like an influencer."""

    __tablename__ = "follow"
    __table_args__ = (
        CheckConstraint("(kpi_id IS NULL) <> (initiative_id IS NULL)", name="kpi_or_initiative"),
        # NULLs are distinct in a unique constraint, so one partial index per kind of item.
        Index(
            "uq_follow_person_kpi",
            "person_id",
            "kpi_id",
            unique=True,
            sqlite_where=text("kpi_id IS NOT NULL"),
            postgresql_where=text("kpi_id IS NOT NULL"),
        ),
        Index(
            "uq_follow_person_initiative",
            "person_id",
            "initiative_id",
            unique=True,
            sqlite_where=text("initiative_id IS NOT NULL"),
            postgresql_where=text("initiative_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id"), index=True, default=None)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestMark(Base):
    """When a person's last digest was written, so the next one says what changed since."""

    __tablename__ = "digest_mark"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EscalationRule(Base):
    """How an exception kind climbs the reporting line: days per level, and how many levels.

    The project files own these rows (channels.yaml); kind `*` is the default for kinds
    without a row of their own.
    """

    __tablename__ = "escalation_rule"
    __table_args__ = (
        CheckConstraint("days > 0", name="days"),
        CheckConstraint("levels >= 0", name="levels"),
    )

    exception_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int] = mapped_column()
    levels: Mapped[int] = mapped_column()


class AppriseDestination(Base):
    """An Apprise URL (Slack, Teams, Matrix, a webhook ...) for one person or one unit.

    The URL keeps its `${ENV_VAR}` references; they are resolved only when sending, and the URL
    is masked wherever it is shown. A unit's destination hears once of each event about an item
    of the unit or a unit below it.
    """

    __tablename__ = "apprise_destination"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    # The event kinds it hears of; empty: the default kinds (see channels/recipients.py).
    events: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    position: Mapped[int] = mapped_column(default=0)


class JobRun(Base):
    """One run of a scheduled job: when, by which runner, and how it ended."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    runner: Mapped[str] = mapped_column(String(200))  # embedded:<host>:<pid>, worker:..., cli
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ok: Mapped[bool | None] = mapped_column(default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")


class SchedulerLease(Base):
    """Which process runs the embedded scheduler: a lease renewed while it lives."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
