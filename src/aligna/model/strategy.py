"""Processes that deliver value today and the tree of strategic objectives."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base, SlugMixin


class Process(SlugMixin, Base):
    """An existing end-to-end process, measured by KPIs."""

    __tablename__ = "process"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)


class Objective(SlugMixin, Base):
    """A strategic objective in the tree that decomposes the vision."""

    __tablename__ = "objective"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class ObjectiveVisionTarget(Base):
    """A vision target an objective serves, with its weight in the target's roll-up."""

    __tablename__ = "objective_vision_target"

    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), primary_key=True)
    vision_target_id: Mapped[int] = mapped_column(
        ForeignKey("vision_target.id"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(default=0)
