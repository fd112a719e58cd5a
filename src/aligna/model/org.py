"""The organisation: units in a tree, people with a position, a unit and a manager."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base, SlugMixin


class Unit(SlugMixin, Base):
    """An organisation unit: company, division, department, team ..."""

    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)


class Person(SlugMixin, Base):
    """A person with a job (position), a unit and a manager (the reporting line)."""

    __tablename__ = "person"
    # Emails are unique among live people; an archived person keeps theirs for the record.
    __table_args__ = (
        Index(
            "uq_person_email_live",
            "email",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    # Indexed: search lists people by name, and walking the index stops at the first page.
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(320))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)


class TeamMembership(Base):
    """An extra team a person belongs to, beside their own unit."""

    __tablename__ = "team_membership"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
