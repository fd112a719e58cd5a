"""The foundation at the centre: mission, vision with its targets, values."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.enums import Projection
from aligna.model.base import Base, SlugMixin, enum_column


class Foundation(Base):
    """The single row holding the mission and the vision statement."""

    __tablename__ = "foundation"

    id: Mapped[int] = mapped_column(primary_key=True)
    mission: Mapped[str] = mapped_column(Text, default="")
    vision: Mapped[str] = mapped_column(Text, default="")
    horizon: Mapped[int | None] = mapped_column(default=None)


class VisionTarget(SlugMixin, Base):
    """A measurable vision target: a KPI and the value it must reach by a year."""

    __tablename__ = "vision_target"

    name: Mapped[str] = mapped_column(String(200))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    value: Mapped[float] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(default=None)
    projection: Mapped[Projection] = mapped_column(
        enum_column(Projection, "projection"), default=Projection.compound
    )


class Value(SlugMixin, Base):
    """A principle behaviour must never violate."""

    __tablename__ = "value"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
