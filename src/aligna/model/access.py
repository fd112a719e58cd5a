"""Restricted items: a KPI or initiative visible only to named people and units.

An item with no rows here is not restricted. Each row names exactly one person or one unit.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base

ONE_GRANTEE = (
    "(person_id IS NOT NULL AND unit_id IS NULL) OR (person_id IS NULL AND unit_id IS NOT NULL)"
)


class KpiAccess(Base):
    """A person or unit allowed to see a restricted KPI."""

    __tablename__ = "kpi_access"
    __table_args__ = (
        CheckConstraint(ONE_GRANTEE, name="one_grantee"),
        UniqueConstraint("kpi_id", "person_id", name="uq_kpi_access_person"),
        UniqueConstraint("kpi_id", "unit_id", name="uq_kpi_access_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))  # led by the unique pairs
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)


class InitiativeAccess(Base):
    """A person or unit allowed to see a restricted initiative."""

    __tablename__ = "initiative_access"
    __table_args__ = (
        CheckConstraint(ONE_GRANTEE, name="one_grantee"),
        UniqueConstraint("initiative_id", "person_id", name="uq_initiative_access_person"),
        UniqueConstraint("initiative_id", "unit_id", name="uq_initiative_access_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"))  # as for KPIs
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
