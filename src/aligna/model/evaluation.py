"""Evaluation results: per KPI and period, per objective, initiative and vision target.

These tables are written only by the evaluation stage, whole or incrementally, and read by
everything downstream (channels, web, exports). `run_id` says which evaluation wrote a row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from aligna.model.base import Base, UTCDateTime


class EvaluationRun(Base):
    """One evaluation: when, as of which day, how much it covered and how long it took."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    as_of: Mapped[date] = mapped_column(Date)
    kpis: Mapped[int] = mapped_column(Integer, default=0)
    incremental: Mapped[bool] = mapped_column(Boolean, default=False)
    # The newest change set, value and refresh when the run started (its watermark): a later
    # change set that changed the project (not only values) makes the next evaluation a full
    # one; later values and refreshes name the KPIs an incremental one re-evaluates.
    change_set_id: Mapped[int | None] = mapped_column(Integer, default=None)
    observation_id: Mapped[int | None] = mapped_column(Integer, default=None)
    refresh_id: Mapped[int | None] = mapped_column(Integer, default=None)


class KpiEvaluation(Base):
    """A KPI's (or a unit slice's) evaluation for one period."""

    __tablename__ = "kpi_evaluation"
    __table_args__ = (
        Index("ix_kpi_evaluation_kpi_unit_period", "kpi_id", "unit_id", "period"),
        # A partial index: only the latest rows, one per series, so reading every series'
        # latest status (roll-ups, status pages) never scans the history.
        Index(
            "ix_kpi_evaluation_latest",
            "kpi_id",
            "unit_id",
            sqlite_where=text("latest"),
            postgresql_where=text("latest"),
        ),
    )

    # No foreign keys on this table of millions of derived rows: checking them tripled the time
    # of a bulk write on PostgreSQL (measured: 2.4 million rows in 24.8 s with, 7.8 s without).
    # Only the evaluation writes it, from live KPIs and units, and entities are never deleted.
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    kpi_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer, default=None)
    period: Mapped[str] = mapped_column(String(16))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)  # the current, open period
    # The series' latest closed period: the row its status, score and exceptions come from.
    latest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    actual: Mapped[float | None] = mapped_column(Float, default=None)
    target: Mapped[float | None] = mapped_column(Float, default=None)
    red_flag: Mapped[float | None] = mapped_column(Float, default=None)
    stretch: Mapped[float | None] = mapped_column(Float, default=None)
    lo: Mapped[float | None] = mapped_column(Float, default=None)
    hi: Mapped[float | None] = mapped_column(Float, default=None)
    red_lo: Mapped[float | None] = mapped_column(Float, default=None)
    red_hi: Mapped[float | None] = mapped_column(Float, default=None)
    variance: Mapped[float | None] = mapped_column(Float, default=None)
    percent_of_target: Mapped[float | None] = mapped_column(Float, default=None)
    # on_track at_risk off_track no_data stale; null for the current (partial) period
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    trend: Mapped[str | None] = mapped_column(String(16), default=None)
    centre: Mapped[float | None] = mapped_column(Float, default=None)  # XmR centre line
    lower_limit: Mapped[float | None] = mapped_column(Float, default=None)
    upper_limit: Mapped[float | None] = mapped_column(Float, default=None)
    upper_range_limit: Mapped[float | None] = mapped_column(Float, default=None)
    # The signals dated at this period, as a JSON array of {rule, side, favourable}; text so
    # that evaluations can be written in bulk through Arrow on every database.
    signals: Mapped[str] = mapped_column(Text, default="[]")
    stale_reason: Mapped[str] = mapped_column(Text, default="")


class KpiForecast(Base):
    """Whether a KPI (or slice) will meet its final target, from its recent values."""

    __tablename__ = "kpi_forecast"
    __table_args__ = (Index("ix_kpi_forecast_kpi_unit", "kpi_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    end_period: Mapped[str] = mapped_column(String(16))
    final_target: Mapped[float] = mapped_column(Float)
    projected: Mapped[float] = mapped_column(Float)
    slope: Mapped[float] = mapped_column(Float)
    meets: Mapped[bool] = mapped_column(Boolean)
    reach_period: Mapped[str | None] = mapped_column(String(16), default=None)


class ObjectiveEvaluation(Base):
    """An objective's roll-up: score, status and the share of weight that had data."""

    __tablename__ = "objective_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(16))
    coverage: Mapped[float] = mapped_column(Float)  # share of weight with data, 0-1
    stale_share: Mapped[float] = mapped_column(Float, default=0.0)  # share of weight stale


class InitiativeEvaluation(Base):
    """An initiative's health from its milestones and dates."""

    __tablename__ = "initiative_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    percent_complete: Mapped[float] = mapped_column(Float)
    time_elapsed: Mapped[float] = mapped_column(Float)
    overdue_milestones: Mapped[int] = mapped_column(Integer)
    most_days_overdue: Mapped[int] = mapped_column(Integer)
    health: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)


class VisionGapEvaluation(Base):
    """A vision target's gap: organic projection, what initiatives cover, what remains."""

    __tablename__ = "vision_gap_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    vision_target_id: Mapped[int] = mapped_column(ForeignKey("vision_target.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # compound | linear
    projection: Mapped[float | None] = mapped_column(Float, default=None)
    gap: Mapped[float | None] = mapped_column(Float, default=None)
    covered: Mapped[float] = mapped_column(Float, default=0.0)
    uncovered: Mapped[float | None] = mapped_column(Float, default=None)
    warning: Mapped[str] = mapped_column(Text, default="")


class PerformanceException(Base):
    """An exception that needs someone: off track, adverse signal, overdue milestone, stale data.

    `key` identifies the cause (kind, item, unit, period...); at most one open exception per
    key, so re-evaluating never opens a duplicate. It closes when its cause goes away.
    """

    __tablename__ = "performance_exception"
    __table_args__ = (Index("ix_performance_exception_key_closed", "key", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # off_track adverse_signal overdue_milestone stale
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), default=None)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), default=None)
    period: Mapped[str | None] = mapped_column(String(16), default=None)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Escalation: 0 is the owner, n the owner's n-th manager up the reporting line; it climbs
    # a level when unacknowledged for the policy's days since level_since.
    level: Mapped[int] = mapped_column(default=0)
    level_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), default=None)
    # A commitment: what the owner will do, by when; missing it resumes the escalation.
    commitment: Mapped[str] = mapped_column(Text, default="")
    commitment_due: Mapped[date | None] = mapped_column(default=None)


class ScorecardEvaluation(Base):
    """A person's scorecard: the weighted score of their items and how many need attention."""

    __tablename__ = "scorecard_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    coverage: Mapped[float] = mapped_column(Float)
    items: Mapped[int] = mapped_column(Integer)
    items_off_track: Mapped[int] = mapped_column(Integer)
    items_at_risk: Mapped[int] = mapped_column(Integer)
