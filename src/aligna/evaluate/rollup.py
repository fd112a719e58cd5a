"""Roll scores up: KPIs and initiatives to objectives, objectives to vision targets, items to
scorecards.

Every roll-up is the same weighted mean (DESIGN, "Roll-up"): children with no data are left
out of the score, and the share of the children's weight that had data is the coverage. Each
child carries a score (null: no data), a coverage (0-1) and a stale share (0-1): a KPI or an
initiative has coverage 1 with data and 0 without, and stale share 1 when its score is stale;
a sub-objective carries its own coverage and stale share, so both count proportionally all
the way up (the coverage of a vision target is the share of the leaf weight behind it that
had data). Stale weight is always weight with data: a child with no score is never stale.

Also decided here:
- A child of weight 0 adds nothing anywhere; when no weight with data remains (all children
  without data, or only zero-weight ones with data) the score is null and the coverage 0.
- Every objective appears, also one without children (no data); roots' own weights are
  ignored. Only vision targets named in `serves`, and people with items, appear.
- Scorecard items: a KPI item without unit is the organisation's value of the KPI, with a unit
  that unit's slice; an item with no score row has no data. items_off_track / items_at_risk
  count the status word (KPIs) or health (initiatives); a KPI whose status word is `stale`
  counts in items_stale (and stale_share) instead.
- A score within 1e-9 of a status threshold counts as reaching it (float rounding of means).
"""

from __future__ import annotations

import polars as pl

ON_TRACK_SCORE = 200 / 3
AT_RISK_SCORE = 100 / 3
# A weighted mean of scores that sit exactly on a threshold may come out one ulp below it;
# a tolerance far under any shown precision keeps such a roll-up on the threshold's side.
_EPS = 1e-9

_SUMS = ("total", "scored", "weighted", "covered", "stale")


def status_from_score(score: pl.Expr) -> pl.Expr:
    """The status word of a roll-up score: on_track, at_risk, off_track or no_data."""
    return (
        pl.when(score.is_null())
        .then(pl.lit("no_data"))
        .when(score >= ON_TRACK_SCORE - _EPS)
        .then(pl.lit("on_track"))
        .when(score >= AT_RISK_SCORE - _EPS)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
    )


def roll_up(
    objectives: pl.DataFrame, children: pl.DataFrame, leaf_scores: pl.DataFrame
) -> pl.DataFrame:
    """Score every objective from its KPIs, initiatives and sub-objectives."""
    _check_weights(children, "children")
    _check_weights(objectives.filter(pl.col("parent").is_not_null()), "objectives")
    _check_unique(leaf_scores, ["child_kind", "child"], "leaf_scores")
    tree = _depths(objectives)

    leaves = children.with_columns(pl.col("child_kind").cast(pl.Utf8)).join(
        leaf_scores.with_columns(pl.col("child_kind").cast(pl.Utf8)),
        on=["child_kind", "child"],
        how="left",
    )
    leaf_sums = _sums(_leaf_edges(leaves, parent="objective"))

    # One pass per tree level, deepest first: a level needs the results of the level below.
    levels: list[pl.DataFrame] = []
    below: pl.DataFrame | None = None
    deepest = int(tree["depth"].max()) if tree.height else -1  # type: ignore[arg-type]
    for depth in range(deepest, -1, -1):
        level = tree.filter(pl.col("depth") == depth)
        parts = [leaf_sums]
        if below is not None:
            edges = below.join(tree.select("objective", "parent", "weight"), on="objective")
            parts.append(_sums(edges.drop("objective")))
        sums = pl.concat(parts).group_by("parent").agg(pl.col(_SUMS).sum())
        below = _finish(level.select("objective"), sums, "objective")
        levels.append(below)
    if not levels:
        return _finish(tree.select("objective"), _empty_sums(), "objective")
    return pl.concat(levels).sort("objective")


def vision_target_scores(objective_scores: pl.DataFrame, serves: pl.DataFrame) -> pl.DataFrame:
    """Score every vision target from the objectives that serve it, as roll_up does."""
    _check_weights(serves, "serves")
    edges = serves.join(
        objective_scores.select("objective", "score", "coverage", "stale_share"),
        on="objective",
        how="left",
    ).select(
        pl.col("vision_target").alias("parent"),
        "weight",
        pl.col("score").fill_nan(None),
        # An objective missing from the scores is an objective with no data.
        pl.col("coverage").fill_null(0.0),
        pl.col("stale_share").fill_null(0.0),
    )
    targets = serves.select("vision_target").unique()
    return _finish(targets, _sums(edges), "vision_target").sort("vision_target")


def scorecard_scores(
    items: pl.DataFrame, kpi_scores: pl.DataFrame, initiative_scores: pl.DataFrame
) -> pl.DataFrame:
    """Score every person's scorecard from its weighted KPI and initiative items."""
    _check_weights(items, "items")
    _check_unique(kpi_scores, ["kpi", "unit"], "kpi_scores")
    _check_unique(initiative_scores, ["initiative"], "initiative_scores")
    kinds = items.with_columns(pl.col("kind").cast(pl.Utf8))
    unknown = kinds.filter(~pl.col("kind").is_in(["kpi", "initiative"]))
    if unknown.height:
        raise ValueError(
            f"items: kind must be kpi or initiative, found {unknown['kind'][0]!r} "
            f"(person {unknown['person'][0]})"
        )
    on_kpis = kinds.filter(pl.col("kind") == "kpi").join(
        kpi_scores.select(
            pl.col("kpi").alias("item"),
            "unit",
            "score",
            pl.col("status").cast(pl.Utf8).alias("word"),
            # Stale may come as its own flag or as the status word that replaced the status.
            (
                (pl.col("stale").fill_null(False) if "stale" in kpi_scores.columns else False)
                | (pl.col("status").cast(pl.Utf8) == "stale")
            ).alias("stale"),
        ),
        on=["item", "unit"],
        how="left",
        # An item without a unit is the organisation's value of the KPI: null matches null.
        nulls_equal=True,
    )
    on_initiatives = kinds.filter(pl.col("kind") == "initiative").join(
        initiative_scores.select(
            pl.col("initiative").alias("item"),
            "score",
            pl.col("health").cast(pl.Utf8).alias("word"),
            pl.lit(False).alias("stale"),
        ),
        on="item",
        how="left",
    )
    columns = ["person", "weight", "score", "word", "stale"]
    scored = pl.concat(
        [
            on_kpis.select(columns),
            on_initiatives.select(columns).cast({"score": pl.Float64}),
        ]
    ).with_columns(pl.col("score").cast(pl.Float64).fill_nan(None))
    has = pl.col("score").is_not_null()
    counts = scored.group_by("person").agg(
        pl.len().cast(pl.Int64).alias("items"),
        (pl.col("word") == "off_track").sum().cast(pl.Int64).alias("items_off_track"),
        (pl.col("word") == "at_risk").sum().cast(pl.Int64).alias("items_at_risk"),
        (pl.col("stale") & has).sum().cast(pl.Int64).alias("items_stale"),
    )
    edges = scored.select(
        pl.col("person").alias("parent"),
        "weight",
        "score",
        has.cast(pl.Float64).alias("coverage"),
        (pl.col("stale") & has).cast(pl.Float64).alias("stale_share"),
    )
    people = counts.select("person")
    return (
        _finish(people, _sums(edges), "person")
        .drop("status")
        .join(counts, on="person")
        .sort("person")
    )


def _leaf_edges(leaves: pl.DataFrame, parent: str) -> pl.DataFrame:
    """KPIs and initiatives as children: coverage 1 with data, stale only with data."""
    score = pl.col("score").cast(pl.Float64).fill_nan(None)
    has = score.is_not_null()
    return leaves.select(
        pl.col(parent).alias("parent"),
        "weight",
        score.alias("score"),
        has.cast(pl.Float64).alias("coverage"),
        (has & pl.col("stale").fill_null(False)).cast(pl.Float64).alias("stale_share"),
    )


def _sums(edges: pl.DataFrame) -> pl.DataFrame:
    """Additive sums per parent, so leaf and sub-objective parts combine by adding."""
    weight = pl.col("weight").cast(pl.Float64)
    has = pl.col("score").is_not_null()
    return edges.group_by("parent").agg(
        weight.sum().alias("total"),
        pl.when(has).then(weight).otherwise(0.0).sum().alias("scored"),
        pl.when(has).then(weight * pl.col("score")).otherwise(0.0).sum().alias("weighted"),
        (weight * pl.col("coverage")).sum().alias("covered"),
        (weight * pl.col("stale_share")).sum().alias("stale"),
    )


def _empty_sums() -> pl.DataFrame:
    return pl.DataFrame(schema={"parent": pl.Int64, **dict.fromkeys(_SUMS, pl.Float64)})


def _finish(keys: pl.DataFrame, sums: pl.DataFrame, key: str) -> pl.DataFrame:
    """Score, coverage, stale share and status for every key, with or without children."""
    total = pl.col("total").fill_null(0.0)
    scored = pl.col("scored").fill_null(0.0)
    # No weight with data (no children, all without data, or only zero weights with data):
    # no score, coverage 0.
    score = pl.when(scored > 0).then(pl.col("weighted") / scored)

    def share(column: str) -> pl.Expr:
        return pl.when(total > 0).then((pl.col(column) / total).clip(0.0, 1.0)).otherwise(0.0)

    return (
        keys.join(sums.rename({"parent": key}), on=key, how="left")
        .select(
            key,
            score.alias("score"),
            share("covered").alias("coverage"),
            share("stale").alias("stale_share"),
        )
        .with_columns(status_from_score(pl.col("score")).alias("status"))
    )


def _depths(objectives: pl.DataFrame) -> pl.DataFrame:
    """Each objective with its depth in the tree (roots 0), walking one level per pass."""
    _check_unique(objectives, ["objective"], "objectives")
    tree = objectives.select(
        "objective", "parent", pl.col("weight").cast(pl.Float64).fill_null(0.0)
    )
    unknown = tree.filter(pl.col("parent").is_not_null()).join(
        tree.select(pl.col("objective").alias("parent")), on="parent", how="anti"
    )
    if unknown.height:
        raise ValueError(
            f"objectives: objective {unknown['objective'][0]} has parent "
            f"{unknown['parent'][0]}, which is not an objective"
        )
    frontier = tree.filter(pl.col("parent").is_null()).select("objective")
    placed = [frontier.with_columns(pl.lit(0, dtype=pl.Int64).alias("depth"))]
    depth = 0
    while frontier.height:
        depth += 1
        frontier = tree.join(
            frontier.rename({"objective": "parent"}), on="parent", how="semi"
        ).select("objective")
        placed.append(frontier.with_columns(pl.lit(depth, dtype=pl.Int64).alias("depth")))
    depths = pl.concat(placed)
    if depths.height != tree.height:
        # Objectives never reached from a root sit on a cycle of parents.
        cycle = tree.join(depths, on="objective", how="anti")["objective"].sort()
        raise ValueError(f"objectives: a cycle of parents through objectives {cycle.to_list()}")
    return tree.join(depths, on="objective")


def _check_weights(frame: pl.DataFrame, name: str) -> None:
    """Weights are validated upstream; refuse a null, NaN or negative one rather than guess."""
    weight = pl.col("weight").cast(pl.Float64)
    bad = frame.filter(weight.is_null() | weight.is_nan() | (weight < 0))
    if bad.height:
        raise ValueError(
            f"{name}: weights must be numbers >= 0, found {bad['weight'][0]} in row "
            f"{bad.row(0, named=True)}"
        )


def _check_unique(frame: pl.DataFrame, keys: list[str], name: str) -> None:
    """A duplicated key would multiply rows in a join and skew every mean above it."""
    duplicated = frame.filter(pl.struct(keys).is_duplicated())
    if duplicated.height:
        raise ValueError(
            f"{name}: more than one row for {duplicated.select(keys).row(0, named=True)}"
        )
