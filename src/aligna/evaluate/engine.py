"""The whole evaluation as one pure function: the inputs' frames in, every result frame out."""

from __future__ import annotations

from datetime import date

import polars as pl

from aligna.evaluate.allocation import allocate, map_back
from aligna.evaluate.exceptions import wanted_exceptions
from aligna.evaluate.initiatives import initiative_health
from aligna.evaluate.inputs import EvaluationInputs
from aligna.evaluate.rollup import roll_up, scorecard_scores, vision_target_scores
from aligna.evaluate.vision_gap import annual_values, vision_gaps


def compute(inputs: EvaluationInputs, as_of: date) -> dict[str, pl.DataFrame]:
    """Evaluate everything as of a day: KPIs, objectives, initiatives, gaps, scorecards."""
    from aligna.evaluate.kpis import evaluate_kpis
    from aligna.evaluate.targets import expand_targets, target_periods

    plan = allocate(inputs.kpis, inputs.values, inputs.specs, inputs.overrides)
    periods = target_periods(plan.kpis, plan.values, plan.specs, as_of)
    targets = expand_targets(plan.specs, plan.overrides, periods)
    results = evaluate_kpis(plan.kpis, plan.values, targets, as_of)
    evaluations = map_back(results.evaluations, plan.stand_ins)
    forecasts = map_back(results.forecasts, plan.stand_ins)
    latest = latest_closed(evaluations).join(
        inputs.kpis.select("kpi", "name"), on="kpi", how="left"
    )
    health = initiative_health(inputs.initiatives, inputs.milestones, as_of)
    leaf_scores = pl.concat(
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
    objectives = roll_up(inputs.objectives, inputs.children, leaf_scores)
    organisation_values = inputs.values.filter(pl.col("unit").is_null())
    gaps = vision_gaps(
        inputs.vision_targets,
        annual_values(organisation_values, inputs.kpis, as_of),
        inputs.contributions,
        as_of,
    )
    scorecards = scorecard_scores(
        inputs.scorecard_items,
        latest.select(
            "kpi", "unit", "score", "status", (pl.col("status") == "stale").alias("stale")
        ),
        health.select("initiative", "score", "health"),
    )
    wanted = wanted_exceptions(
        latest.with_columns(_adverse(pl.col("signals")).alias("adverse_signal")),
        inputs.milestones,
        inputs.initiatives,
        as_of,
    )
    return {
        "evaluations": evaluations,
        "forecasts": forecasts,
        "objectives": objectives,
        "vision_targets": vision_target_scores(objectives, inputs.serves),
        "initiatives": health,
        "vision_gaps": gaps,
        "scorecards": scorecards,
        "exceptions": wanted,
        "latest": latest,  # each series' latest closed period, for summaries (not stored)
    }


def latest_closed(evaluations: pl.DataFrame) -> pl.DataFrame:
    """Each KPI's and slice's evaluation for its latest closed period."""
    closed = evaluations.filter(~pl.col("partial"))
    # Periods of one series share a frequency, so their ISO texts order as time does: the
    # greatest is the latest, found without sorting millions of rows.
    return closed.filter(pl.col("period") == pl.col("period").max().over("kpi", "unit"))


def _adverse(signals: pl.Expr) -> pl.Expr:
    """Whether any signal dated at the period is adverse."""
    return (
        signals.list.eval(pl.element().struct.field("favourable").not_())
        .list.any()
        .fill_null(False)
    )
