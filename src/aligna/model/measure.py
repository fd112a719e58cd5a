"""The observation store: KPI values taken from the warehouse or entered, and refresh results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base, JSONDocument, UTCDateTime, utcnow


class Observation(Base):
    """One value of a KPI (or of a unit's slice of it) for one period, as taken at a time.

    A value the warehouse restates is a new revision; the earlier one gets `superseded_at`
    and is kept, so history is never overwritten.
    """

    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_current", "kpi_id", "unit_id", "period", "superseded_at"),
        # Incremental evaluation finds the KPIs with values taken since the last evaluation.
        Index("ix_observation_taken_at", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    source: Mapped[str] = mapped_column(String(16))  # query | manual | import
    actor: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class KpiRefresh(Base):
    """The result of running one KPI's query once: rows, new values, revisions, or the error."""

    __tablename__ = "kpi_refresh"
    __table_args__ = (
        Index("ix_kpi_refresh_kpi_started", "kpi_id", "started_at"),
        Index("ix_kpi_refresh_finished", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    new_values: Mapped[int] = mapped_column(Integer, default=0)
    revised_values: Mapped[int] = mapped_column(Integer, default=0)


class KpiTargetVersion(Base):
    """A KPI's target and thresholds as set at a time, so a period is judged by its own target."""

    __tablename__ = "kpi_target_version"
    __table_args__ = (Index("ix_kpi_target_version_kpi_set", "kpi_id", "set_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_set_id: Mapped[int | None] = mapped_column(ForeignKey("change_set.id"), default=None)
    # The canonical `target` block of the KPI (see files/schema.py TargetModel), or null.
    target: Mapped[dict[str, object] | None] = mapped_column(JSONDocument, default=None)
