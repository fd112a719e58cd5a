"""The whole evaluation as one pure function: the inputs' frames in, every result frame out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from aligna.evaluate.allocation import allocate, map_back
from aligna.evaluate.exceptions import wanted_exceptions
from aligna.evaluate.initiatives import initiative_health
from aligna.evaluate.inputs import EvaluationInputs
from aligna.evaluate.rollup import roll_up, scorecard_scores, vision_target_scores
from aligna.evaluate.vision_gap import annual_values, vision_gaps


@dataclass(frozen=True)
class KpiFrames:
    """The KPI part of an evaluation: every period, the forecasts, each series' latest row."""

    evaluations: pl.DataFrame
    forecasts: pl.DataFrame
    latest: pl.DataFrame


def evaluate_kpi_frames(
    kpis: pl.DataFrame,
    values: pl.DataFrame,
    specs: pl.DataFrame,
    overrides: pl.DataFrame,
    as_of: date,
) -> KpiFrames:
    """Evaluate the given KPIs (all of them, or only those that changed) as of a day."""
    from aligna.evaluate.kpis import evaluate_kpis
    from aligna.evaluate.targets import expand_targets, target_periods

    plan = allocate(kpis, values, specs, overrides)
    periods = target_periods(plan.kpis, plan.values, plan.specs, as_of)
    targets = expand_targets(plan.specs, plan.overrides, periods)
    results = evaluate_kpis(plan.kpis, plan.values, targets, as_of)
    evaluations = with_latest_flag(map_back(results.evaluations, plan.stand_ins))
    latest = (
        evaluations.filter(pl.col("latest"))
        .drop("latest")
        .join(kpis.select("kpi", "name"), on="kpi", how="left")
    )
    return KpiFrames(evaluations, map_back(results.forecasts, plan.stand_ins), latest)


def leaf_scores(latest: pl.DataFrame, health: pl.DataFrame) -> pl.DataFrame:
    """The scores objectives roll up: each whole KPI's latest, and each initiative's health."""
    return pl.concat(
        [
            latest.filter(pl.col("unit").is_null()).select(
                pl.lit("kpi").alias("child_kind"),
                pl.col("kpi").alias("child"),
                pl.col("score"),
                (pl.col("status") == "stale").alias("stale"),
            ),
            health.select(
                pl.lit("initiative").alias("child_kind"),
                pl.col("initiative").alias("child"),
                pl.col("score"),
                pl.lit(False).alias("stale"),
            ),
        ]
    )


def scorecard_inputs(latest: pl.DataFrame) -> pl.DataFrame:
    """The latest rows as scorecard_scores reads them."""
    return latest.select(
        "kpi", "unit", "score", "status", (pl.col("status") == "stale").alias("stale")
    )


def kpi_exceptions(
    latest: pl.DataFrame, milestones: pl.DataFrame, initiatives: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """The exceptions wanted now, from the latest rows (with their signals) and milestones."""
    return wanted_exceptions(
        latest.with_columns(_adverse(pl.col("signals")).alias("adverse_signal")),
        milestones,
        initiatives,
        as_of,
    )


def compute(inputs: EvaluationInputs, as_of: date) -> dict[str, pl.DataFrame]:
    """Evaluate everything as of a day: KPIs, objectives, initiatives, gaps, scorecards."""
    kpi = evaluate_kpi_frames(inputs.kpis, inputs.values, inputs.specs, inputs.overrides, as_of)
    health = initiative_health(inputs.initiatives, inputs.milestones, as_of)
    objectives = roll_up(inputs.objectives, inputs.children, leaf_scores(kpi.latest, health))
    # Only the vision targets' KPIs have a gap: their yearly values are all that is needed.
    organisation_values = inputs.values.filter(pl.col("unit").is_null()).join(
        inputs.vision_targets.select("kpi"), on="kpi", how="semi"
    )
    gaps = vision_gaps(
        inputs.vision_targets,
        annual_values(organisation_values, inputs.kpis, as_of),
        inputs.contributions,
        as_of,
    )
    scorecards = scorecard_scores(
        inputs.scorecard_items,
        scorecard_inputs(kpi.latest),
        health.select("initiative", "score", "health"),
    )
    return {
        "evaluations": kpi.evaluations,
        "forecasts": kpi.forecasts,
        "objectives": objectives,
        "vision_targets": vision_target_scores(objectives, inputs.serves),
        "initiatives": health,
        "vision_gaps": gaps,
        "scorecards": scorecards,
        "exceptions": kpi_exceptions(kpi.latest, inputs.milestones, inputs.initiatives, as_of),
        "latest": kpi.latest,  # each series' latest closed period, for summaries (not stored)
    }


def with_latest_flag(evaluations: pl.DataFrame) -> pl.DataFrame:
    """Mark each KPI's and slice's row for its latest closed period (`latest`)."""
    closed = ~pl.col("partial")
    # Periods of one series share a frequency, so their ISO texts order as time does: the
    # greatest closed one is the latest, found without sorting millions of rows.
    latest_period = pl.when(closed).then(pl.col("period")).max().over("kpi", "unit")
    return evaluations.with_columns((closed & (pl.col("period") == latest_period)).alias("latest"))


def _adverse(signals: pl.Expr) -> pl.Expr:
    """Whether any signal dated at the period is adverse."""
    return (
        signals.list.eval(pl.element().struct.field("favourable").not_())
        .list.any()
        .fill_null(False)
    )
