"""The vision gap: what a vision target requires beyond the KPI's organic projection.

DESIGN, "Vision gap". Decisions the conventions leave open, made here:
- Only complete calendar years are projected from. A year is complete when it ended before
  as_of and every one of its periods has a value (12 months, 4 quarters, 365/366 days, the 52
  or 53 ISO weeks, or the year itself). A weekly KPI's year is its ISO week-year (a week
  belongs to the year of its Thursday), which ends on the Sunday of its last week.
- Only organisation-level values count: rows with a unit (slices of a broken-down KPI) are
  left out; the organisation's value of a broken-down KPI is expected as a row without unit.
- Compound: growth between the first and last complete years, g = (last / first)^(1 / span)
  - 1, projected as last * (1 + g)^(horizon - last year); years in between only have to exist
  for completeness, gaps between complete years simply lengthen the span.
- Linear: least-squares line through every complete year, evaluated at the horizon year.
- Fewer than 2 complete years: no projection, gap and uncovered null; method still says
  which projection the target asks for.
- warning is "" when there is nothing to warn about (the evaluation table stores text), else
  the warnings joined by "; ".
- Contributions are magnitudes in the KPI's unit towards the favourable side (for a
  lower-is-better KPI, an expected 5 means 5 lower); covered is their sum, 0 with none.
- A within-range KPI has no direction to close a gap in: gap null, with a warning.
- A horizon not after the last complete year is still projected (the line or curve is
  evaluated there) with a warning.
"""

from __future__ import annotations

from datetime import date

import polars as pl

_FREQUENCIES = ("day", "week", "month", "quarter", "year")
_AGGREGATIONS = ("sum", "mean", "last")
NO_PROJECTION = "fewer than 2 complete years: no projection"
LINEAR_FALLBACK = "non-positive first or last year: linear trend used"


def annual_values(values: pl.DataFrame, kpis: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Each KPI's value per complete calendar year, aggregated by the KPI's aggregation."""
    frame = values.filter(pl.col("unit").is_null()) if "unit" in values.columns else values
    frame = frame.filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan()).join(
        kpis.select("kpi", pl.col("frequency").cast(pl.Utf8), pl.col("aggregation").cast(pl.Utf8)),
        on="kpi",
        how="inner",
    )
    _refuse(frame, ~pl.col("frequency").is_in(_FREQUENCIES), "frequency", _FREQUENCIES)
    _refuse(frame, ~pl.col("aggregation").is_in(_AGGREGATIONS), "aggregation", _AGGREGATIONS)

    period = pl.col("period").cast(pl.Utf8)
    # Every period style starts with its (ISO week-)year, so the year is the first 4 digits.
    year = period.str.slice(0, 4).cast(pl.Int32, strict=False)
    frequency = pl.col("frequency")
    valid = (
        pl.when(frequency == "day")
        .then(period.str.to_date("%Y-%m-%d", strict=False).is_not_null())
        .when(frequency == "week")
        .then(
            period.str.contains(r"^\d{4}-W\d{2}$")
            & period.str.slice(6, 2).cast(pl.Int32, strict=False).is_between(1, _iso_weeks(year))
        )
        .when(frequency == "month")
        .then(period.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$"))
        .when(frequency == "quarter")
        .then(period.str.contains(r"^\d{4}-Q[1-4]$"))
        .otherwise(period.str.contains(r"^\d{4}$"))
    )
    bad = frame.filter(~valid.fill_null(False))
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(
            f"values: period {row['period']!r} of KPI {row['kpi']} is not a {row['frequency']} "
            "period"
        )
    duplicated = frame.filter(pl.struct("kpi", "period").is_duplicated())
    if duplicated.height:
        row = duplicated.row(0, named=True)
        raise ValueError(f"values: more than one value for KPI {row['kpi']} in {row['period']}")

    per_year = (
        frame.with_columns(year.alias("year"))
        .group_by("kpi", "year")
        .agg(
            pl.len().alias("periods"),
            pl.col("frequency").first(),
            pl.col("aggregation").first(),
            pl.col("value").sum().alias("sum"),
            pl.col("value").mean().alias("mean"),
            # ISO-style periods of one frequency sort chronologically as text.
            pl.col("value").sort_by("period").last().alias("last"),
        )
    )
    y = pl.col("year")
    expected = (
        pl.when(frequency == "day")
        .then(pl.date(y, 12, 31).dt.ordinal_day().cast(pl.Int64))
        .when(frequency == "week")
        .then(_iso_weeks(y))
        .when(frequency == "month")
        .then(12)
        .when(frequency == "quarter")
        .then(4)
        .otherwise(1)
    )
    december_28 = pl.date(y, 12, 28)
    year_end = (
        pl.when(frequency == "week")
        # The last ISO week is the one holding 28 December; it ends on its Sunday.
        .then(december_28 + pl.duration(days=7 - december_28.dt.weekday().cast(pl.Int64)))
        .otherwise(pl.date(y, 12, 31))
    )
    value = (
        pl.when(pl.col("aggregation") == "sum")
        .then(pl.col("sum"))
        .when(pl.col("aggregation") == "mean")
        .then(pl.col("mean"))
        .otherwise(pl.col("last"))
    )
    return (
        per_year.filter((pl.col("periods") == expected) & (year_end < pl.lit(as_of, dtype=pl.Date)))
        .select("kpi", y.cast(pl.Int64), value.cast(pl.Float64).alias("value"))
        .sort("kpi", "year")
    )


def vision_gaps(
    targets: pl.DataFrame,
    annual_values: pl.DataFrame,
    contributions: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """Projection, gap, covered and uncovered for every vision target."""
    years = annual_values.filter(
        # A year that has not ended by as_of cannot be complete, whoever built the table.
        (pl.col("year") < as_of.year) & pl.col("value").is_not_null() & ~pl.col("value").is_nan()
    )
    duplicated = years.filter(pl.struct("kpi", "year").is_duplicated())
    if duplicated.height:
        row = duplicated.row(0, named=True)
        raise ValueError(
            f"annual_values: more than one value for KPI {row['kpi']} in {row['year']}"
        )
    x = pl.col("year").cast(pl.Float64)
    v = pl.col("value")
    fits = years.group_by("kpi").agg(
        pl.len().cast(pl.Int64).alias("complete_years"),
        pl.col("year").min().alias("first_year"),
        pl.col("year").max().alias("last_year"),
        v.sort_by("year").first().alias("first_value"),
        v.sort_by("year").last().alias("last_value"),
        x.mean().alias("x_mean"),
        v.mean().alias("v_mean"),
        ((x - x.mean()) ** 2).sum().alias("sxx"),
        ((x - x.mean()) * (v - v.mean())).sum().alias("sxy"),
    )
    covered = contributions.group_by("vision_target").agg(
        pl.col("expected").cast(pl.Float64).sum().alias("covered")
    )

    enough = pl.col("complete_years").fill_null(0) >= 2
    positive = (pl.col("first_value") > 0) & (pl.col("last_value") > 0)
    asked = pl.col("projection").cast(pl.Utf8)
    # The method that is (or, without enough years, would be) used: never empty, so the
    # evaluation table can always say which projection a target asks for.
    method = (
        pl.when((asked == "compound") & (positive.fill_null(True) | ~enough))
        .then(pl.lit("compound"))
        .otherwise(pl.lit("linear"))
    )
    horizon = pl.col("year").cast(pl.Float64)
    span = (pl.col("last_year") - pl.col("first_year")).cast(pl.Float64)
    ratio = pl.col("last_value") / pl.col("first_value")
    compound = enough & (pl.col("method") == "compound")
    linear = enough & (pl.col("method") == "linear")
    annual_growth = pl.when(compound).then(ratio ** (1.0 / span) - 1.0)
    slope = pl.when(linear).then(pl.col("sxy") / pl.col("sxx"))
    projection = (
        pl.when(compound)
        .then(pl.col("last_value") * ratio ** ((horizon - pl.col("last_year")) / span))
        .when(linear)
        .then(pl.col("v_mean") + pl.col("slope") * (horizon - pl.col("x_mean")))
    )
    polarity = pl.col("polarity").cast(pl.Utf8)
    shortfall = (
        pl.when(polarity == "higher_is_better")
        .then(pl.col("value") - pl.col("projection"))
        .when(polarity == "lower_is_better")
        .then(pl.col("projection") - pl.col("value"))
    )
    warning = pl.concat_str(
        [
            pl.when(~enough).then(pl.lit(NO_PROJECTION)),
            pl.when(enough & (asked == "compound") & ~positive).then(pl.lit(LINEAR_FALLBACK)),
            pl.when(enough & (pl.col("year") <= pl.col("last_year"))).then(
                pl.format(
                    "horizon year {} is not after the last complete year {}",
                    "year",
                    "last_year",
                )
            ),
            pl.when(polarity == "within_range").then(
                pl.lit("within-range KPI: no direction for a vision gap")
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return (
        targets.join(fits, on="kpi", how="left")
        .join(covered, on="vision_target", how="left")
        .with_columns(
            method.alias("method"),
            pl.col("complete_years").fill_null(0),
            pl.col("covered").fill_null(0.0),
            warning.alias("warning"),
        )
        .with_columns(annual_growth.alias("annual_growth"), slope.alias("slope"))
        .with_columns(projection.alias("projection"))
        .with_columns(shortfall.clip(lower_bound=0.0).alias("gap"))
        .with_columns(
            (pl.col("gap") - pl.col("covered")).clip(lower_bound=0.0).alias("uncovered"),
        )
        .select(
            "vision_target",
            "kpi",
            "method",
            pl.col("projection").cast(pl.Float64),
            pl.col("gap").cast(pl.Float64),
            "covered",
            pl.col("uncovered").cast(pl.Float64),
            "complete_years",
            pl.col("first_year").cast(pl.Int64),
            pl.col("last_year").cast(pl.Int64),
            pl.col("annual_growth").cast(pl.Float64),
            pl.col("slope").cast(pl.Float64),
            pl.col("warning").cast(pl.Utf8),
        )
        .sort("vision_target")
    )


def _iso_weeks(year: pl.Expr) -> pl.Expr:
    """How many ISO weeks a year has: the week number of its 28 December (52 or 53)."""
    return pl.date(year, 12, 28).dt.week().cast(pl.Int64)


def _refuse(frame: pl.DataFrame, wrong: pl.Expr, column: str, allowed: tuple[str, ...]) -> None:
    bad = frame.filter(wrong)
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(
            f"kpis: {column} of KPI {row['kpi']} is {row[column]!r}, expected one of "
            f"{', '.join(allowed)}"
        )
