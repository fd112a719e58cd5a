"""Reading everything an evaluation needs from the database, as Polars frames.

The evaluation itself is pure (frames in, frames out); this module is its only reader. Live
entities only: archived KPIs, objectives and initiatives are not evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Engine

from aligna.bulk import read_frame

TARGET_COLUMNS = {
    "baseline_period": pl.Utf8,
    "baseline_value": pl.Float64,
    "target_value": pl.Float64,
    "target_by": pl.Utf8,
    "shape": pl.Utf8,
    "red_flag_offset": pl.Utf8,
    "red_flag_value": pl.Float64,
    "stretch_offset": pl.Utf8,
    "stretch_value": pl.Float64,
    "band_lo": pl.Float64,
    "band_hi": pl.Float64,
    "red_band_lo": pl.Float64,
    "red_band_hi": pl.Float64,
}


@dataclass(frozen=True)
class EvaluationInputs:
    """Every frame the evaluation reads (schemas in docs/evaluation.md)."""

    kpis: pl.DataFrame
    values: pl.DataFrame
    specs: pl.DataFrame
    overrides: pl.DataFrame
    objectives: pl.DataFrame
    children: pl.DataFrame
    serves: pl.DataFrame
    initiatives: pl.DataFrame
    milestones: pl.DataFrame
    vision_targets: pl.DataFrame
    contributions: pl.DataFrame
    scorecard_items: pl.DataFrame


@dataclass(frozen=True)
class KpiInputs:
    """What evaluating some KPIs reads: their rows, current values, target versions, overrides."""

    kpis: pl.DataFrame
    values: pl.DataFrame
    specs: pl.DataFrame
    overrides: pl.DataFrame


def id_filter(column: str, ids: Sequence[int] | None) -> str:
    """An SQL condition keeping the rows whose column is one of the ids (all rows for None).

    The ids are integers formatted by us, never text from outside, so inlining them is safe
    and keeps one statement however many there are.
    """
    if ids is None:
        return "1 = 1"
    if not ids:
        return "1 = 0"
    return f"{column} in ({', '.join(str(int(i)) for i in ids)})"


def read_kpi_inputs(engine: Engine, ids: Sequence[int] | None = None) -> KpiInputs:
    """Read the live KPIs (or only those with the given ids) and what evaluates them."""
    kpis = read_frame(
        engine,
        f"""
        select k.id as kpi, k.slug, k.name, k.polarity, k.frequency, k.aggregation,
               k.staleness_days, k.owner_id as owner, k.unit_id as home_unit,
               k.breakdown_unit_kind, k.breakdown_total, k.source_manual,
               r.ok as last_refresh_ok, r.error as refresh_error
        from kpi k
        left join (
            select kr.kpi_id, kr.ok, kr.error from kpi_refresh kr
            join (select kpi_id, max(id) as id from kpi_refresh
                  where {id_filter("kpi_id", ids)} group by kpi_id) latest
              on latest.id = kr.id
        ) r on r.kpi_id = k.id
        where k.archived_at is null and {id_filter("k.id", ids)}
        """,
    ).with_columns(
        pl.col("kpi").cast(pl.Int64),
        pl.col("staleness_days").cast(pl.Int64),
        pl.lit(None, dtype=pl.Int64).alias("xmr_window"),
        # A KPI whose latest refresh failed shows stale (never refreshed is not a failure).
        pl.col("last_refresh_ok").cast(pl.Boolean).not_().fill_null(False).alias("refresh_failed"),
    )
    values = read_frame(
        engine,
        f"""
        select o.kpi_id as kpi, o.unit_id as unit, o.period, o.value
        from observation o join kpi k on k.id = o.kpi_id
        where o.superseded_at is null and k.archived_at is null
          and {id_filter("o.kpi_id", ids)}
        """,
    ).with_columns(
        pl.col("kpi").cast(pl.Int64),
        pl.col("unit").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
    )
    return KpiInputs(
        kpis=kpis,
        values=_with_totals(values, kpis),
        specs=_specs(engine, kpis, ids),
        overrides=read_frame(
            engine,
            "select kpi_id as kpi, period, target, red_flag, stretch, lo, hi, red_lo, red_hi "
            f"from kpi_target_override where {id_filter('kpi_id', ids)}",
        ).with_columns(pl.col("kpi").cast(pl.Int64)),
    )


def read_inputs(engine: Engine) -> EvaluationInputs:
    """Read the inputs of a whole evaluation."""
    kpi = read_kpi_inputs(engine)
    return EvaluationInputs(
        kpis=kpi.kpis,
        values=kpi.values,
        specs=kpi.specs,
        overrides=kpi.overrides,
        **read_structure(engine),
    )


def read_structure(engine: Engine) -> dict[str, pl.DataFrame]:
    """Read what the roll-ups, gaps and scorecards need: everything but the KPIs' own inputs."""
    return dict(
        scorecard_items=read_scorecard_items(engine),
        **read_tree(engine),
    )


def read_tree(engine: Engine) -> dict[str, pl.DataFrame]:
    """The objectives, what they contain and serve, initiatives, vision targets and milestones."""
    return dict(
        objectives=read_frame(
            engine,
            "select id as objective, parent_id as parent, weight from objective "
            "where archived_at is null",
        ).with_columns(pl.col("objective").cast(pl.Int64), pl.col("parent").cast(pl.Int64)),
        children=_children(engine),
        serves=read_frame(
            engine,
            "select objective_id as objective, vision_target_id as vision_target, weight "
            "from objective_vision_target",
        ).with_columns(pl.col("objective", "vision_target").cast(pl.Int64)),
        initiatives=read_frame(
            engine,
            "select id as initiative, slug, name, owner_id as owner, start_date as start, "
            'end_date as "end" from initiative where archived_at is null',
        )
        .pipe(_dates, "start", "end")
        .with_columns(pl.col("initiative").cast(pl.Int64)),
        milestones=read_frame(
            engine,
            "select m.initiative_id as initiative, m.id as milestone, m.name, m.due, "
            "m.percent_complete, m.weight from milestone m join initiative i "
            "on i.id = m.initiative_id where i.archived_at is null",
        )
        .pipe(_dates, "due")
        .with_columns(pl.col("initiative", "milestone").cast(pl.Int64)),
        vision_targets=read_frame(
            engine,
            "select v.id as vision_target, v.kpi_id as kpi, k.polarity, v.value, "
            "coalesce(v.year, f.horizon) as year, v.projection from vision_target v "
            "join kpi k on k.id = v.kpi_id left join foundation f on 1 = 1 "
            "where v.archived_at is null",
        ).with_columns(pl.col("vision_target", "kpi").cast(pl.Int64)),
        contributions=read_frame(
            engine,
            "select c.vision_target_id as vision_target, c.expected from initiative_contribution c "
            "join initiative i on i.id = c.initiative_id "
            "where c.vision_target_id is not null and i.archived_at is null",
        ).with_columns(pl.col("vision_target").cast(pl.Int64)),
    )


def read_scorecard_items(engine: Engine, kpis: Sequence[int] | None = None) -> pl.DataFrame:
    """Every scorecard item, or the whole scorecards of the people with one of these KPIs."""
    people = (
        "1 = 1"
        if kpis is None
        else "person_id in (select person_id from scorecard_item "
        f"where {id_filter('kpi_id', kpis)})"
    )
    return read_frame(
        engine,
        "select person_id as person, case when kpi_id is null then 'initiative' else 'kpi' "
        "end as kind, coalesce(kpi_id, initiative_id) as item, unit_id as unit, weight, role "
        f"from scorecard_item where {people}",
    ).with_columns(pl.col("person", "item", "unit").cast(pl.Int64))


def _children(engine: Engine) -> pl.DataFrame:
    kpis = read_frame(
        engine,
        "select ko.objective_id as objective, 'kpi' as child_kind, ko.kpi_id as child, ko.weight "
        "from kpi_objective ko join kpi k on k.id = ko.kpi_id where k.archived_at is null",
    )
    initiatives = read_frame(
        engine,
        "select c.objective_id as objective, 'initiative' as child_kind, "
        "c.initiative_id as child, c.weight from initiative_contribution c join initiative i "
        "on i.id = c.initiative_id where c.objective_id is not null and i.archived_at is null",
    )
    frames = [
        f.with_columns(
            pl.col("objective", "child").cast(pl.Int64),
            pl.col("weight").cast(pl.Float64),
            pl.col("child_kind").cast(pl.Utf8),
        )
        for f in (kpis, initiatives)
    ]
    return pl.concat(frames)


def _specs(engine: Engine, kpis: pl.DataFrame, ids: Sequence[int] | None) -> pl.DataFrame:
    """One row per target version: the canonical target block spread into columns."""
    versions = read_frame(
        engine,
        "select kpi_id as kpi, set_at, target from kpi_target_version "
        f"where {id_filter('kpi_id', ids)} order by id",
    )
    rows: list[dict[str, Any]] = []
    for kpi, set_at, target in versions.iter_rows():
        block = json.loads(target) if isinstance(target, str) else (target or {})
        # SQLite gives text, PostgreSQL a timestamp: both become UTC datetimes below.
        rows.append({"kpi": kpi, "set_at": str(set_at), **_spread(block)})
    schema = {"kpi": pl.Int64, "set_at": pl.Utf8, **TARGET_COLUMNS}
    frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    frame = frame.with_columns(
        pl.col("set_at").str.to_datetime(time_zone="UTC", strict=False)
        if frame.schema["set_at"] == pl.Utf8
        else pl.col("set_at")
    )
    return kpis.select("kpi", "polarity", "frequency").join(frame, on="kpi", how="inner")


def _spread(block: dict[str, Any]) -> dict[str, Any]:
    """The target block of the files as flat columns."""
    baseline = block.get("baseline") or {}
    red = block.get("red_flag") or {}
    stretch = block.get("stretch") or {}
    band = block.get("band") or {}
    red_band = block.get("red_band") or {}
    return {
        "baseline_period": _text(baseline.get("period")),
        "baseline_value": baseline.get("value"),
        "target_value": block.get("value"),
        "target_by": _text(block.get("by")),
        "shape": block.get("shape", "linear"),
        "red_flag_offset": red.get("offset"),
        "red_flag_value": red.get("value"),
        "stretch_offset": stretch.get("offset"),
        "stretch_value": stretch.get("value"),
        "band_lo": band.get("lo"),
        "band_hi": band.get("hi"),
        "red_band_lo": red_band.get("lo"),
        "red_band_hi": red_band.get("hi"),
    }


def _dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Date columns as dates, whether the database gave dates (PostgreSQL) or text (SQLite)."""
    return frame.with_columns(
        pl.col(c).str.to_date(strict=False)
        if frame.schema[c] == pl.Utf8
        else pl.col(c).cast(pl.Date)
        for c in columns
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _with_totals(values: pl.DataFrame, kpis: pl.DataFrame) -> pl.DataFrame:
    """Add the organisation's value of broken-down KPIs from their unit values (sum or mean).

    A value the source gives for the whole organisation (unit empty) is kept as it is.
    """
    totals = kpis.filter(pl.col("breakdown_total").is_in(["sum", "mean"])).select(
        "kpi", "breakdown_total"
    )
    if totals.height == 0:
        return values
    slices = values.filter(pl.col("unit").is_not_null()).join(totals, on="kpi")
    made = (
        slices.group_by("kpi", "period")
        .agg(
            pl.when(pl.col("breakdown_total").first() == "sum")
            .then(pl.col("value").sum())
            .otherwise(pl.col("value").mean())
            .alias("value")
        )
        .with_columns(pl.lit(None, dtype=pl.Int64).alias("unit"))
    )
    given = values.filter(pl.col("unit").is_null()).select("kpi", "period")
    made = made.join(given, on=["kpi", "period"], how="anti").select(values.columns)
    return pl.concat([values, made])
