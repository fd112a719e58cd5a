"""Targets of unit slices of KPIs that add up (breakdown total: sum), allocated by share.

A slice of a KPI whose organisation value is the sum of its units cannot be judged against the
organisation's target: each region's revenue would be "off track" against the whole company's.
Until targets are allocated explicitly, a slice gets the organisation's trajectory scaled by
its share of the total over its last 12 periods with values (an equal share when the total is
0). Percent offsets stay as they are; absolute values and offsets scale. Slices of KPIs whose
total is a mean (rates, scores) share the organisation's target unchanged.

It works on frames only: each such slice becomes its own series under a stand-in KPI id, is
evaluated by the same functions as every KPI, and is mapped back to (kpi, unit) afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SHARE_WINDOW = 12
SCALED = ("baseline_value", "target_value", "red_flag_value", "stretch_value", "band_lo",
          "band_hi", "red_band_lo", "red_band_hi")  # fmt: skip
OVERRIDES = ("target", "red_flag", "stretch", "lo", "hi", "red_lo", "red_hi")


@dataclass(frozen=True)
class Allocated:
    """The frames to evaluate, with stand-ins for allocated slices, and how to map back."""

    kpis: pl.DataFrame
    values: pl.DataFrame
    specs: pl.DataFrame
    overrides: pl.DataFrame
    stand_ins: pl.DataFrame  # stand_in, kpi, unit, share


def allocate(
    kpis: pl.DataFrame, values: pl.DataFrame, specs: pl.DataFrame, overrides: pl.DataFrame
) -> Allocated:
    """Give every slice of a sum-total KPI its own scaled targets, as a stand-in series."""
    summed = kpis.filter(pl.col("breakdown_total") == "sum").select("kpi")
    slices = values.filter(pl.col("unit").is_not_null()).join(summed, on="kpi")
    if slices.height == 0:
        return Allocated(kpis, values, specs, overrides, _no_stand_ins())
    recent = (
        slices.sort("period")
        .group_by("kpi", "unit", maintain_order=True)
        .agg(pl.col("value").tail(SHARE_WINDOW).sum().alias("recent"))
        .with_columns(
            pl.col("recent").sum().over("kpi").alias("total"),
            pl.len().over("kpi").alias("count"),
        )
        .with_columns(
            pl.when(pl.col("total") != 0)
            .then(pl.col("recent") / pl.col("total"))
            .otherwise(1.0 / pl.col("count"))
            .alias("share")
        )
    )
    base = int(kpis["kpi"].max() or 0) + 1
    stand_ins = recent.with_row_index("n").select(
        (pl.lit(base, dtype=pl.Int64) + pl.col("n").cast(pl.Int64)).alias("stand_in"),
        "kpi",
        "unit",
        "share",
    )
    scaled_kpis = (
        kpis.join(stand_ins.select("stand_in", "kpi"), on="kpi")
        .with_columns(pl.col("stand_in").alias("kpi"))
        .drop("stand_in")
    )
    scaled_values = slices.join(stand_ins, on=["kpi", "unit"]).select(
        pl.col("stand_in").alias("kpi"),
        pl.lit(None, dtype=pl.Int64).alias("unit"),
        "period",
        "value",
    )
    scaled_specs = (
        specs.join(stand_ins.select("stand_in", "kpi", "share"), on="kpi")
        .with_columns(
            *(pl.col(c) * pl.col("share") for c in SCALED if c in specs.columns),
            *(
                _scaled_offset(pl.col(c), pl.col("share"))
                for c in ("red_flag_offset", "stretch_offset")
                if c in specs.columns
            ),
            pl.col("stand_in").alias("kpi"),
        )
        .drop("stand_in", "share")
    )
    scaled_overrides = (
        overrides.join(stand_ins.select("stand_in", "kpi", "share"), on="kpi")
        .with_columns(
            *(pl.col(c) * pl.col("share") for c in OVERRIDES if c in overrides.columns),
            pl.col("stand_in").alias("kpi"),
        )
        .drop("stand_in", "share")
    )
    kept = values.join(slices.select("kpi", "unit").unique(), on=["kpi", "unit"], how="anti")
    return Allocated(
        kpis=pl.concat([kpis, scaled_kpis.select(kpis.columns)]),
        values=pl.concat([kept, scaled_values.select(values.columns)]),
        specs=pl.concat([specs, scaled_specs.select(specs.columns)]),
        overrides=pl.concat([overrides, scaled_overrides.select(overrides.columns)]),
        stand_ins=stand_ins,
    )


def map_back(frame: pl.DataFrame, stand_ins: pl.DataFrame) -> pl.DataFrame:
    """Results of stand-in series as results of the (kpi, unit) slices they stand for."""
    if stand_ins.height == 0 or frame.height == 0:
        return frame
    mapped = frame.join(
        stand_ins.select(
            pl.col("stand_in").alias("kpi"),
            pl.col("kpi").alias("_kpi"),
            pl.col("unit").alias("_unit"),
        ),
        on="kpi",
        how="left",
    )
    return mapped.with_columns(
        pl.coalesce("_kpi", "kpi").alias("kpi"), pl.coalesce("_unit", "unit").alias("unit")
    ).drop("_kpi", "_unit")


def _scaled_offset(offset: pl.Expr, share: pl.Expr) -> pl.Expr:
    """An absolute offset ("-5") scales with the share; a percent offset ("-10%") does not."""
    number = offset.str.strip_chars_end("%").cast(pl.Float64, strict=False)
    scaled = number * share
    text = pl.when(scaled >= 0).then(pl.lit("+")).otherwise(pl.lit("")) + scaled.cast(pl.Utf8)
    return (
        pl.when(offset.str.ends_with("%"))
        .then(offset)
        .otherwise(text)
        .alias(offset.meta.output_name())
    )


def _no_stand_ins() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"stand_in": pl.Int64, "kpi": pl.Int64, "unit": pl.Int64, "share": pl.Float64}
    )
