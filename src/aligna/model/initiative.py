"""Strategic initiatives: projects that build tomorrow's processes, with milestones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aligna.enums import InfluencerKind, MissionGapTopic
from aligna.model.base import Base, SlugMixin, enum_column


class Initiative(SlugMixin, Base):
    """A strategic initiative with an owner, dates, budget and contributions."""

    __tablename__ = "initiative"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="dates"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    budget: Mapped[float | None] = mapped_column(Float, default=None)
    budget_unit: Mapped[str] = mapped_column(String(32), default="")
    mission_gap: Mapped[MissionGapTopic | None] = mapped_column(
        enum_column(MissionGapTopic, "mission_gap_topic"), default=None
    )


class InitiativeContributor(Base):
    """A person who contributes to an initiative."""

    __tablename__ = "initiative_contributor"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)


class InitiativeInfluencer(Base):
    """A person or unit who affects an initiative, and how."""

    __tablename__ = "initiative_influencer"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[InfluencerKind] = mapped_column(enum_column(InfluencerKind, "influencer_kind"))
    position: Mapped[int] = mapped_column(default=0)


class Milestone(Base):
    """A milestone of an initiative: due date, percent complete, weight."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("initiative_id", "slug", name="uq_milestone_initiative_slug"),
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    percent_complete: Mapped[float] = mapped_column(Float, default=0.0)
    weight: Mapped[float | None] = mapped_column(Float, default=None)
    position: Mapped[int] = mapped_column(default=0)


class InitiativeContribution(Base):
    """An objective or vision target an initiative serves, with its expected contribution."""

    __tablename__ = "initiative_contribution"
    __table_args__ = (
        CheckConstraint(
            "(objective_id IS NULL) <> (vision_target_id IS NULL)", name="objective_or_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    vision_target_id: Mapped[int | None] = mapped_column(ForeignKey("vision_target.id"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    expected: Mapped[float | None] = mapped_column(Float, default=None)
    position: Mapped[int] = mapped_column(default=0)
