"""KPIs: definition, data source, trajectory and thresholds, owner, influencers, objectives."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aligna.enums import (
    Aggregation,
    BreakdownTotal,
    Frequency,
    InfluencerKind,
    Polarity,
    TrajectoryShape,
)
from aligna.model.base import Base, SlugMixin, enum_column


class Connection(SlugMixin, Base):
    """A named warehouse connection: a SQLAlchemy URL whose secrets are ${ENV} references."""

    __tablename__ = "connection"

    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    options: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # When its KPIs are refreshed: a cron expression in the organisation's time zone; None
    # refreshes each KPI by its frequency (see measure/schedule.py).
    refresh_schedule: Mapped[str | None] = mapped_column(String(100), default=None)


class Kpi(SlugMixin, Base):
    """A key performance indicator with everything needed to measure and evaluate it."""

    __tablename__ = "kpi"
    __table_args__ = (
        CheckConstraint(
            "(source_manual AND connection_id IS NULL) OR "
            "(NOT source_manual AND connection_id IS NOT NULL)",
            name="source",
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit_of_measure: Mapped[str] = mapped_column(String(32), default="")
    polarity: Mapped[Polarity] = mapped_column(enum_column(Polarity, "polarity"))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "frequency"))
    aggregation: Mapped[Aggregation] = mapped_column(enum_column(Aggregation, "aggregation"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"), index=True)
    staleness_days: Mapped[int | None] = mapped_column(default=None)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # The data source: a query on a connection, or manual entry.
    source_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connection.id"), index=True)
    query: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_schedule: Mapped[str | None] = mapped_column(String(100), default=None)  # cron
    # One definition, a value per unit of this kind inside the KPI's unit.
    breakdown_unit_kind: Mapped[str | None] = mapped_column(String(32), default=None)
    breakdown_total: Mapped[BreakdownTotal | None] = mapped_column(
        enum_column(BreakdownTotal, "breakdown_total"), default=None
    )
    # Trajectory for higher/lower-is-better KPIs.
    baseline_period: Mapped[str | None] = mapped_column(String(16), default=None)
    baseline_value: Mapped[float | None] = mapped_column(Float, default=None)
    target_value: Mapped[float | None] = mapped_column(Float, default=None)
    target_by: Mapped[str | None] = mapped_column(String(16), default=None)
    target_shape: Mapped[TrajectoryShape | None] = mapped_column(
        enum_column(TrajectoryShape, "trajectory_shape"), default=None
    )
    # Thresholds: an offset from the target ("-5", "-10%") or an absolute value.
    red_flag_offset: Mapped[str | None] = mapped_column(String(32), default=None)
    red_flag_value: Mapped[float | None] = mapped_column(Float, default=None)
    stretch_offset: Mapped[str | None] = mapped_column(String(32), default=None)
    stretch_value: Mapped[float | None] = mapped_column(Float, default=None)
    # Band for within-range KPIs.
    band_lo: Mapped[float | None] = mapped_column(Float, default=None)
    band_hi: Mapped[float | None] = mapped_column(Float, default=None)
    red_band_lo: Mapped[float | None] = mapped_column(Float, default=None)
    red_band_hi: Mapped[float | None] = mapped_column(Float, default=None)


class KpiTargetOverride(Base):
    """Absolute targets and thresholds for one period, overriding the trajectory."""

    __tablename__ = "kpi_target_override"

    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    target: Mapped[float | None] = mapped_column(Float, default=None)
    red_flag: Mapped[float | None] = mapped_column(Float, default=None)
    stretch: Mapped[float | None] = mapped_column(Float, default=None)
    lo: Mapped[float | None] = mapped_column(Float, default=None)
    hi: Mapped[float | None] = mapped_column(Float, default=None)
    red_lo: Mapped[float | None] = mapped_column(Float, default=None)
    red_hi: Mapped[float | None] = mapped_column(Float, default=None)


class KpiInfluencer(Base):
    """A person or a unit who affects a KPI, and how (lateral, vertical, cross-functional)."""

    __tablename__ = "kpi_influencer"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (unit_id IS NULL)", name="person_or_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[InfluencerKind] = mapped_column(enum_column(InfluencerKind, "influencer_kind"))
    position: Mapped[int] = mapped_column(default=0)


class KpiObjective(Base):
    """An objective a KPI serves, with the KPI's weight in the objective's roll-up."""

    __tablename__ = "kpi_objective"
    __table_args__ = (CheckConstraint("weight >= 0", name="weight"),)

    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objective.id"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(default=0)
