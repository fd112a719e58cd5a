"""The performance exceptions that should be open now, each under a stable key.

The channels reconcile this table with the open exceptions: a key not open yet opens one, an
open key no longer wanted closes (or resolves) it, and a key still wanted keeps its exception
(with its escalation clock) and refreshes its period and detail. So a key names the cause only,
never anything that moves while the cause stays (no period, no value, no date of evaluation).

Decisions the conventions leave open, made here:
- off_track: one exception per KPI and unit while it stays off track, key
  `off_track:kpi=12:unit=-` (`-`: the organisation's value); period = the latest closed one.
- adverse_signal: likewise one per KPI and unit while the latest period carries an adverse
  signal, so a sustained shift signalling month after month stays one exception rather than
  closing and reopening (which would reset its escalation).
- stale: one per KPI and unit while its data is stale (a non-empty stale reason, or the status
  word `stale`). When a row says both off_track and a stale reason, both exceptions are
  wanted: the fixes differ (the data people for one, the owner for the other). When stale has
  replaced the status word, only the stale exception can be seen.
- overdue_milestone: one per milestone while it is overdue (due strictly before as_of, under
  100%), key `overdue_milestone:initiative=3:milestone=17`, period = its due day. Milestones of
  initiatives missing from `initiatives` (archived, out of scope) are left out. An initiative
  that is off track only because its end passed raises no extra exception: one of its
  milestones under 100% is then overdue too, unless a milestone is due after the end.
"""

from __future__ import annotations

from datetime import date

import polars as pl

KINDS = ("off_track", "adverse_signal", "overdue_milestone", "stale")
SCHEMA: dict[str, pl.DataType] = {
    "key": pl.Utf8(),
    "kind": pl.Utf8(),
    "kpi": pl.Int64(),
    "unit": pl.Int64(),
    "initiative": pl.Int64(),
    "milestone": pl.Int64(),
    "period": pl.Utf8(),
    "detail": pl.Utf8(),
}


def wanted_exceptions(
    kpi_latest: pl.DataFrame,
    milestones: pl.DataFrame,
    initiatives: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """One row per performance exception that should be open at as_of, keyed stably."""
    frames = [
        _off_track(kpi_latest),
        _adverse_signals(kpi_latest),
        _stale(kpi_latest),
        _overdue_milestones(milestones, initiatives, as_of),
    ]
    return pl.concat([f.select(pl.col(c).cast(t) for c, t in SCHEMA.items()) for f in frames]).sort(
        "key"
    )


def _kpi_rows(kpi_latest: pl.DataFrame, kind: str, wanted: pl.Expr) -> pl.DataFrame:
    """The KPI rows that want an exception of a kind, with the key and who the KPI is."""
    unit_name = (
        pl.col("unit_name").cast(pl.Utf8)
        if "unit_name" in kpi_latest.columns
        else pl.lit(None, dtype=pl.Utf8)
    )
    # "On-time delivery (Sales North)": unit slices say which unit when a name is known.
    who = pl.concat_str(
        [
            pl.col("name").cast(pl.Utf8).fill_null(pl.format("KPI {}", "kpi")),
            pl.format(" ({})", unit_name),
        ],
        ignore_nulls=True,
    )
    return kpi_latest.filter(wanted.fill_null(False)).with_columns(
        pl.format(
            "{}:kpi={}:unit={}",
            pl.lit(kind),
            "kpi",
            pl.col("unit").cast(pl.Utf8).fill_null("-"),
        ).alias("key"),
        pl.lit(kind).alias("kind"),
        who.alias("who"),
        pl.lit(None, dtype=pl.Int64).alias("initiative"),
        pl.lit(None, dtype=pl.Int64).alias("milestone"),
        pl.col("period").cast(pl.Utf8),
    )


def _off_track(kpi_latest: pl.DataFrame) -> pl.DataFrame:
    rows = _kpi_rows(kpi_latest, "off_track", pl.col("status").cast(pl.Utf8) == "off_track")
    against = pl.concat_str(
        [
            pl.format(" against a target of {}", _number(pl.col("target"))),
            pl.format(" (red flag {})", _number(pl.col("red_flag"))),
        ],
        ignore_nulls=True,
    )
    detail = pl.format(
        "{} was {} in {}{}",
        "who",
        _number(pl.col("actual")).fill_null("off track"),
        "period",
        against,
    )
    return rows.with_columns(detail.alias("detail"))


def _adverse_signals(kpi_latest: pl.DataFrame) -> pl.DataFrame:
    rows = _kpi_rows(kpi_latest, "adverse_signal", pl.col("adverse_signal"))
    detail = pl.format(
        "{} was {} in {}: an adverse signal, a real change rather than noise",
        "who",
        _number(pl.col("actual")).fill_null("unusual"),
        "period",
    )
    return rows.with_columns(detail.alias("detail"))


def _stale(kpi_latest: pl.DataFrame) -> pl.DataFrame:
    # The evaluation table stores "" for "not stale"; null means the same.
    reason = pl.col("stale_reason").cast(pl.Utf8).replace("", None)
    stale = reason.is_not_null() | (pl.col("status").cast(pl.Utf8) == "stale")
    rows = _kpi_rows(kpi_latest, "stale", stale)
    detail = pl.format(
        "{} has stale data (latest period {}): {}",
        "who",
        pl.col("period").fill_null("none"),
        reason.fill_null("no reason recorded"),
    )
    return rows.with_columns(detail.alias("detail"))


def _overdue_milestones(
    milestones: pl.DataFrame, initiatives: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    today = pl.lit(as_of, dtype=pl.Date)
    done = pl.col("percent_complete").cast(pl.Float64).fill_null(0.0)
    names = initiatives.select(
        "initiative",
        (
            pl.col("name").cast(pl.Utf8)
            if "name" in initiatives.columns
            else pl.lit(None, dtype=pl.Utf8)
        ).alias("initiative_name"),
    )
    milestone_name = (
        pl.col("name").cast(pl.Utf8) if "name" in milestones.columns else pl.lit(None, pl.Utf8)
    )
    days = (today - pl.col("due")).dt.total_days()
    detail = pl.format(
        "Milestone '{}' of '{}' was due {} and is {}% complete: {} overdue",
        milestone_name.fill_null(pl.format("milestone {}", "milestone")),
        pl.col("initiative_name").fill_null(pl.format("initiative {}", "initiative")),
        pl.col("due").dt.to_string("%Y-%m-%d"),
        _number(done),
        pl.when(days == 1).then(pl.lit("1 day")).otherwise(pl.format("{} days", days)),
    )
    return (
        milestones.join(names, on="initiative", how="inner")
        .filter((pl.col("due") < today) & (done < 100.0))
        .with_columns(
            pl.format(
                "overdue_milestone:initiative={}:milestone={}", "initiative", "milestone"
            ).alias("key"),
            pl.lit("overdue_milestone").alias("kind"),
            pl.lit(None, dtype=pl.Int64).alias("kpi"),
            pl.lit(None, dtype=pl.Int64).alias("unit"),
            pl.col("due").dt.to_string("%Y-%m-%d").alias("period"),
            detail.alias("detail"),
        )
    )


def _number(value: pl.Expr) -> pl.Expr:
    """A value as people read it: at most 2 decimals, no trailing '.0' (95, 88.1, 92.35)."""
    return value.cast(pl.Float64).round(2).cast(pl.Utf8).str.replace(r"\.0$", "")
