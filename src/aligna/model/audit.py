"""The audit log: every change with who, when, why, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base, JSONDocument, UTCDateTime, utcnow


class ChangeSet(Base):
    """One act of change (an apply, a web edit, a recalibration) with who, when and why."""

    __tablename__ = "change_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), default="")


class AuditEntry(Base):
    """The change of one entity inside a change set, with its state before and after."""

    __tablename__ = "audit_entry"
    # An item's history is read by its kind and id.
    __table_args__ = (Index("ix_audit_entry_entity", "entity_kind", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_set.id"), index=True)
    entity_kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)
