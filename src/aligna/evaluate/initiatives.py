"""Initiative health from milestones and dates (DESIGN, "Initiative health").

Decisions the conventions leave open, made here:
- Milestone weights: a milestone without a weight takes the mean of the weights given on the
  same initiative, so all-weighted is the weighted mean, none-weighted the plain mean, and a
  partly weighted initiative treats its unweighted milestones as average ones (scale-free:
  weights 10/20/70 and 0.1/0.2/0.7 give the same result). If the weights add up to 0, the
  plain mean is used.
- A milestone without a percent complete counts as 0%; percentages are clipped to 0-100.
- An initiative without milestones has percent complete 0: nothing is demonstrably done, so
  it turns at risk once more than 10% of its time has elapsed and off track once its end has
  passed. The `milestones` column (0) lets pages say why.
- Dates: a date "has passed" when it is strictly before as_of, for milestones and the end
  alike; days overdue = as_of - due (a milestone due yesterday is 1 day overdue).
- Time elapsed is (as_of - start) / (end - start) clipped to 0-100; when end = start the
  clipped ratio is 0 before that day and 100 from it on (0/0 on the day itself is 100).
- most_days_overdue is 0 when no milestone is overdue.
- Comparisons with 100% and with the 10-point margin allow 1e-9 for float rounding of means.
"""

from __future__ import annotations

from datetime import date

import polars as pl

HEALTH_SCORE = {"on_track": 100.0, "at_risk": 50.0, "off_track": 0.0}
OVERDUE_OFF_TRACK_DAYS = 30
TRAILING_POINTS = 10.0
_EPS = 1e-9


def initiative_health(
    initiatives: pl.DataFrame, milestones: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Percent complete, time elapsed, overdue milestones, health and score per initiative."""
    today = pl.lit(as_of, dtype=pl.Date)
    backwards = initiatives.filter(pl.col("end") < pl.col("start"))
    if backwards.height:
        row = backwards.row(0, named=True)
        raise ValueError(
            f"initiatives: initiative {row['initiative']} ends ({row['end']}) before it "
            f"starts ({row['start']})"
        )

    done = pl.col("percent_complete").cast(pl.Float64).fill_null(0.0).clip(0.0, 100.0)
    given = pl.col("weight").cast(pl.Float64)
    weight = given.fill_null(given.mean().over("initiative")).fill_null(1.0)
    overdue = (pl.col("due") < today) & (done < 100.0 - _EPS)
    if "weight" not in milestones.columns:
        milestones = milestones.with_columns(pl.lit(None, dtype=pl.Float64).alias("weight"))
    per_initiative = (
        milestones.join(initiatives.select("initiative"), on="initiative", how="semi")
        .with_columns(
            done.alias("done"),
            weight.alias("w"),
            overdue.alias("overdue"),
            (today - pl.col("due")).dt.total_days().alias("days"),
        )
        .group_by("initiative")
        .agg(
            pl.len().cast(pl.Int64).alias("milestones"),
            pl.when(pl.col("w").sum() > 0)
            .then((pl.col("w") * pl.col("done")).sum() / pl.col("w").sum())
            .otherwise(pl.col("done").mean())
            .alias("percent_complete"),
            pl.col("overdue").sum().cast(pl.Int64).alias("overdue_milestones"),
            pl.col("days").filter(pl.col("overdue")).max().cast(pl.Int64).alias("most"),
        )
    )

    elapsed = (today - pl.col("start")).dt.total_days()
    length = (pl.col("end") - pl.col("start")).dt.total_days()
    # Multiply before dividing so whole-percent ratios (3 of 10 days) come out exact.
    time_elapsed = (
        pl.when(length > 0)
        .then((elapsed * 100.0 / length).clip(0.0, 100.0))
        .when(elapsed >= 0)
        .then(100.0)
        .otherwise(0.0)
    )
    percent = pl.col("percent_complete")
    off_track = (pl.col("most_days_overdue") > OVERDUE_OFF_TRACK_DAYS) | (
        (pl.col("end") < today) & (percent < 100.0 - _EPS)
    )
    at_risk = (pl.col("overdue_milestones") > 0) | (
        pl.col("time_elapsed") - percent > TRAILING_POINTS + _EPS
    )
    health = (
        pl.when(off_track)
        .then(pl.lit("off_track"))
        .when(at_risk)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("on_track"))
    )
    return (
        initiatives.select("initiative", "start", "end")
        .join(per_initiative, on="initiative", how="left")
        .with_columns(
            pl.col("milestones").fill_null(0),
            pl.col("percent_complete").fill_null(0.0),
            time_elapsed.cast(pl.Float64).alias("time_elapsed"),
            pl.col("overdue_milestones").fill_null(0),
            pl.col("most").fill_null(0).alias("most_days_overdue"),
        )
        .with_columns(health.alias("health"))
        .with_columns(pl.col("health").replace_strict(HEALTH_SCORE).alias("score"))
        .select(
            "initiative",
            "milestones",
            "percent_complete",
            "time_elapsed",
            "overdue_milestones",
            "most_days_overdue",
            "health",
            "score",
        )
        .sort("initiative")
    )
