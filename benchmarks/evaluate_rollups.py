"""Benchmark: roll-ups, scorecard scores and initiative health at the 100,000-person scale.

Usage: python benchmarks/evaluate_rollups.py [--people 100000] [--repeat 5] [--seed 7]

Synthetic data: 100 objectives in a 4-level tree, 20,000 KPIs each serving one or two
objectives, 200 initiatives with 5 milestones each, 4 scorecard items per person (400,000 at
100,000 people), a fifth of the KPI items on a unit's slice. Prints the best and median seconds
of each step over the repeats (data building is not timed).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl

from aligna.evaluate.initiatives import initiative_health
from aligna.evaluate.rollup import roll_up, scorecard_scores

OBJECTIVES = 100
KPIS = 20_000
INITIATIVES = 200
MILESTONES_EACH = 5
UNITS = 2_000
ITEMS_EACH = 4
AS_OF = date(2026, 6, 30)


def build(people: int, seed: int) -> dict[str, pl.DataFrame]:
    """Synthetic inputs of the given size."""
    rng = np.random.default_rng(seed)
    # Objective tree: 1 root, 4 children, 20 grandchildren, 75 great-grandchildren.
    ids = np.arange(1, OBJECTIVES + 1)
    parents = np.empty(OBJECTIVES, dtype=object)
    parents[0] = None
    parents[1:5] = 1
    parents[5:25] = rng.integers(2, 6, 20)
    parents[25:] = rng.integers(6, 26, OBJECTIVES - 25)
    objectives = pl.DataFrame(
        {"objective": ids, "parent": list(parents), "weight": rng.uniform(0.5, 2.0, OBJECTIVES)},
        schema={"objective": pl.Int64, "parent": pl.Int64, "weight": pl.Float64},
    )

    kpi_ids = np.arange(1, KPIS + 1)
    second = rng.random(KPIS) < 0.3  # 30% of KPIs serve a second objective
    initiative_ids = np.arange(1, INITIATIVES + 1)
    children = pl.concat(
        [
            pl.DataFrame(
                {
                    "objective": rng.integers(1, OBJECTIVES + 1, KPIS + second.sum()),
                    "child_kind": "kpi",
                    "child": np.concatenate([kpi_ids, kpi_ids[second]]),
                    "weight": rng.uniform(0.0, 3.0, KPIS + second.sum()),
                }
            ),
            pl.DataFrame(
                {
                    "objective": rng.integers(1, OBJECTIVES + 1, INITIATIVES),
                    "child_kind": "initiative",
                    "child": initiative_ids,
                    "weight": rng.uniform(0.5, 2.0, INITIATIVES),
                }
            ),
        ]
    ).unique(["objective", "child_kind", "child"])

    org_scores = _scores(rng, KPIS)
    leaf_scores = pl.concat(
        [
            pl.DataFrame(
                {
                    "child_kind": "kpi",
                    "child": kpi_ids,
                    "score": org_scores,
                    "stale": rng.random(KPIS) < 0.05,
                }
            ),
            pl.DataFrame(
                {
                    "child_kind": "initiative",
                    "child": initiative_ids,
                    "score": rng.choice([0.0, 50.0, 100.0], INITIATIVES),
                    "stale": False,
                }
            ),
        ]
    )

    # KPI scores per organisation and for 40,000 unit slices.
    slice_count = 40_000
    slice_keys = (
        pl.DataFrame(
            {
                "kpi": rng.integers(1, KPIS + 1, slice_count),
                "unit": rng.integers(1, UNITS + 1, slice_count),
            }
        )
        .unique()
        .sort("kpi", "unit")
    )
    kpi_scores = pl.concat(
        [
            pl.DataFrame({"kpi": kpi_ids, "unit": None, "score": org_scores}).cast(
                {"unit": pl.Int64}
            ),
            slice_keys.with_columns(
                pl.Series("score", _scores(rng, slice_keys.height), dtype=pl.Float64)
            ),
        ]
    )
    kpi_scores = kpi_scores.with_columns(
        pl.when(pl.col("score").is_null())
        .then(pl.lit("no_data"))
        .when(pl.col("score") >= 200 / 3)
        .then(pl.lit("on_track"))
        .when(pl.col("score") >= 100 / 3)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
        .alias("status"),
        pl.Series("stale", rng.random(kpi_scores.height) < 0.05),
    )

    n_items = people * ITEMS_EACH
    is_initiative = rng.random(n_items) < 0.1
    on_slice = (~is_initiative) & (rng.random(n_items) < 0.2)
    slice_pick = rng.integers(0, slice_keys.height, n_items)
    items = pl.DataFrame(
        {
            "person": np.repeat(np.arange(1, people + 1), ITEMS_EACH),
            "kind": np.where(is_initiative, "initiative", "kpi"),
            "item": np.where(
                is_initiative,
                rng.integers(1, INITIATIVES + 1, n_items),
                np.where(
                    on_slice,
                    slice_keys["kpi"].to_numpy()[slice_pick],
                    rng.integers(1, KPIS + 1, n_items),
                ),
            ),
            "unit": pl.Series(
                np.where(on_slice, slice_keys["unit"].to_numpy()[slice_pick], 0)
            ).replace(0, None),
            "weight": rng.choice([10.0, 20.0, 30.0, 40.0], n_items),
        }
    )

    starts = np.datetime64("2025-01-01") + rng.integers(0, 365, INITIATIVES).astype(
        "timedelta64[D]"
    )
    lengths = rng.integers(0, 900, INITIATIVES).astype("timedelta64[D]")
    initiatives = pl.DataFrame(
        {"initiative": initiative_ids, "start": starts, "end": starts + lengths}
    ).cast({"start": pl.Date, "end": pl.Date})
    n_milestones = INITIATIVES * MILESTONES_EACH
    due = np.datetime64(AS_OF) + rng.integers(-120, 240, n_milestones).astype("timedelta64[D]")
    milestones = pl.DataFrame(
        {
            "initiative": np.repeat(initiative_ids, MILESTONES_EACH),
            "milestone": np.arange(1, n_milestones + 1),
            "due": due,
            "percent_complete": rng.choice([0.0, 25.0, 50.0, 80.0, 100.0], n_milestones),
            "weight": np.where(
                rng.random(n_milestones) < 0.5, rng.uniform(1, 5, n_milestones), np.nan
            ),
        }
    ).with_columns(pl.col("due").cast(pl.Date), pl.col("weight").fill_nan(None))
    return {
        "objectives": objectives,
        "children": children,
        "leaf_scores": leaf_scores,
        "kpi_scores": kpi_scores,
        "initiative_scores": leaf_scores.filter(pl.col("child_kind") == "initiative").select(
            pl.col("child").alias("initiative"),
            "score",
            pl.col("score")
            .replace_strict(
                {0.0: "off_track", 50.0: "at_risk", 100.0: "on_track"}, return_dtype=pl.Utf8
            )
            .alias("health"),
        ),
        "items": items,
        "initiatives": initiatives,
        "milestones": milestones,
    }


def _scores(rng: np.random.Generator, n: int) -> pl.Series:
    """Scores 0-100 with 10% missing."""
    values = rng.uniform(0.0, 100.0, n)
    values[rng.random(n) < 0.1] = np.nan
    return pl.Series(values).fill_nan(None)


def _time(step: Callable[[], pl.DataFrame], repeat: int) -> tuple[float, float, int]:
    seconds = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = step().height
        seconds.append(time.perf_counter() - started)
    return min(seconds), statistics.median(seconds), rows


def main() -> None:
    """Build the synthetic data once, then time each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data = build(args.people, args.seed)
    print(
        f"{OBJECTIVES} objectives, {KPIS:,} KPIs ({data['kpi_scores'].height:,} KPI scores with "
        f"unit slices), {data['items'].height:,} scorecard items of {args.people:,} people, "
        f"{INITIATIVES} initiatives with {data['milestones'].height:,} milestones; "
        f"polars {pl.__version__}, {pl.thread_pool_size()} threads"
    )
    steps: dict[str, Callable[[], pl.DataFrame]] = {
        "roll_up": lambda: roll_up(data["objectives"], data["children"], data["leaf_scores"]),
        "scorecard_scores": lambda: scorecard_scores(
            data["items"], data["kpi_scores"], data["initiative_scores"]
        ),
        "initiative_health": lambda: initiative_health(
            data["initiatives"], data["milestones"], AS_OF
        ),
    }
    total_best = total_median = 0.0
    for name, step in steps.items():
        best, median, rows = _time(step, args.repeat)
        total_best += best
        total_median += median
        print(f"{name:<18} best {best:.4f} s  median {median:.4f} s  ({rows:,} rows out)")
    print(f"{'all three':<18} best {total_best:.4f} s  median {total_median:.4f} s")


if __name__ == "__main__":
    main()
