"""Individual scorecards (about five items a person) and business scorecards (per unit)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from aligna.enums import Role
from aligna.model.base import Base, enum_column


class ScorecardItem(Base):
    """One item of a person's scorecard: a KPI (or a unit's slice of it) or an initiative."""

    __tablename__ = "scorecard_item"
    __table_args__ = (
        CheckConstraint("(kpi_id IS NULL) <> (initiative_id IS NULL)", name="kpi_or_initiative"),
        CheckConstraint("weight >= 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(default=0)


class BusinessScorecardItem(Base):
    """A key KPI on a unit's business scorecard (the unit's own slice when broken down)."""

    __tablename__ = "business_scorecard_item"
    __table_args__ = (CheckConstraint("weight >= 0", name="weight"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), primary_key=True, index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(default=0)
