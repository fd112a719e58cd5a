"""Roll-ups worked by hand: objectives, vision targets and scorecards."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligna.evaluate.rollup import roll_up, scorecard_scores, vision_target_scores


def _objectives(rows: list[tuple[int, int | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"objective": pl.Int64, "parent": pl.Int64, "weight": pl.Float64}, orient="row"
    )


def _children(rows: list[tuple[int, str, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "objective": pl.Int64,
            "child_kind": pl.Utf8,
            "child": pl.Int64,
            "weight": pl.Float64,
        },
        orient="row",
    )


def _leaves(rows: list[tuple[str, int, float | None, bool]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"child_kind": pl.Utf8, "child": pl.Int64, "score": pl.Float64, "stale": pl.Boolean},
        orient="row",
    )


def _by(frame: pl.DataFrame, key: str) -> dict[int, dict]:
    return {row[key]: row for row in frame.iter_rows(named=True)}


def test_flat_objective_leaves_out_missing_children_and_counts_zero_weights() -> None:
    objectives = _objectives([(1, None, None)])
    children = _children(
        [
            (1, "kpi", 10, 3.0),  # 80
            (1, "kpi", 11, 1.0),  # 40
            (1, "kpi", 12, 1.0),  # no data (null score)
            (1, "kpi", 13, 0.0),  # 0, but weight 0: no effect on the score
            (1, "kpi", 14, 1.0),  # no row in leaf_scores at all: no data
            (1, "initiative", 1, 1.0),  # 50
        ]
    )
    leaves = _leaves(
        [
            ("kpi", 10, 80.0, False),
            ("kpi", 11, 40.0, False),
            ("kpi", 12, None, False),
            ("kpi", 13, 0.0, False),
            ("initiative", 1, 50.0, False),
        ]
    )
    row = roll_up(objectives, children, leaves).row(0, named=True)
    # score = (3*80 + 1*40 + 0*0 + 1*50) / (3 + 1 + 0 + 1) = 330 / 5 = 66
    assert row["score"] == pytest.approx(66.0)
    # coverage = weight with data / all weight = (3 + 1 + 0 + 1) / (3 + 1 + 1 + 0 + 1 + 1) = 5/7
    assert row["coverage"] == pytest.approx(5 / 7)
    assert row["stale_share"] == 0.0
    assert row["status"] == "at_risk"  # 66 < 200/3 = 66.67


def test_no_data_zero_weight_data_and_no_children_give_no_score() -> None:
    objectives = _objectives([(1, None, None), (2, None, None), (3, None, None)])
    children = _children(
        [
            (1, "kpi", 10, 1.0),  # objective 1: every child without data
            (1, "kpi", 11, 2.0),
            (2, "kpi", 12, 0.0),  # objective 2: the only child with data weighs 0
            (2, "kpi", 13, 2.0),
        ]
    )  # objective 3: no children at all
    leaves = _leaves(
        [
            ("kpi", 10, None, False),
            ("kpi", 11, None, True),  # stale without a value: no data, not stale
            ("kpi", 12, 90.0, False),
            ("kpi", 13, None, False),
        ]
    )
    result = _by(roll_up(objectives, children, leaves), "objective")
    for objective in (1, 2, 3):
        assert result[objective]["score"] is None
        assert result[objective]["coverage"] == 0.0
        assert result[objective]["stale_share"] == 0.0
        assert result[objective]["status"] == "no_data"


def test_nested_objectives_carry_coverage_and_stale_share_proportionally() -> None:
    #        1 (root)
    #   kpi 20 (w1, 90)   2 (w2)                     3 (w1)
    #              kpi 21 (w1, 60, stale)     4 (w1)          kpi 23 (w1, 30)
    #              kpi 22 (w1, no data)       kpi 24 (w1, no data)
    objectives = _objectives([(1, None, None), (2, 1, 2.0), (3, 1, 1.0), (4, 3, 1.0)])
    children = _children(
        [
            (1, "kpi", 20, 1.0),
            (2, "kpi", 21, 1.0),
            (2, "kpi", 22, 1.0),
            (3, "kpi", 23, 1.0),
            (4, "kpi", 24, 1.0),
        ]
    )
    leaves = _leaves(
        [
            ("kpi", 20, 90.0, False),
            ("kpi", 21, 60.0, True),
            ("kpi", 22, None, False),
            ("kpi", 23, 30.0, False),
            ("kpi", 24, None, False),
        ]
    )
    result = _by(roll_up(objectives, children, leaves), "objective")
    # 4: its only KPI has no data.
    assert result[4]["score"] is None
    assert result[4]["coverage"] == 0.0
    # 2: score 60 (kpi 22 left out); coverage 1/2; stale 1/2 (kpi 21 is stale but rolls up).
    assert result[2]["score"] == pytest.approx(60.0)
    assert result[2]["coverage"] == pytest.approx(0.5)
    assert result[2]["stale_share"] == pytest.approx(0.5)
    assert result[2]["status"] == "at_risk"
    # 3: objective 4 counts as no data: score 30; coverage (1*0 + 1*1) / 2 = 0.5.
    assert result[3]["score"] == pytest.approx(30.0)
    assert result[3]["coverage"] == pytest.approx(0.5)
    assert result[3]["status"] == "off_track"
    # 1: score (1*90 + 2*60 + 1*30) / 4 = 240 / 4 = 60
    #    coverage (1*1 + 2*0.5 + 1*0.5) / 4 = 2.5 / 4 = 0.625
    #    stale share (1*0 + 2*0.5 + 1*0) / 4 = 0.25
    assert result[1]["score"] == pytest.approx(60.0)
    assert result[1]["coverage"] == pytest.approx(0.625)
    assert result[1]["stale_share"] == pytest.approx(0.25)
    assert result[1]["status"] == "at_risk"


def test_status_thresholds_survive_float_rounding_of_the_mean() -> None:
    objectives = _objectives([(1, None, None), (2, None, None), (3, None, None)])
    children = _children(
        [
            # Weighted mean of two scores exactly on target: (0.3 + 0.7) * 200/3 / 1.0
            (1, "kpi", 10, 0.3),
            (1, "kpi", 11, 0.7),
            (2, "kpi", 12, 0.1),  # exactly the red flag's score, 100/3
            (3, "kpi", 13, 1.0),  # just under it
        ]
    )
    leaves = _leaves(
        [
            ("kpi", 10, 200 / 3, False),
            ("kpi", 11, 200 / 3, False),
            ("kpi", 12, 100 / 3, False),
            ("kpi", 13, 33.3, False),
        ]
    )
    result = _by(roll_up(objectives, children, leaves), "objective")
    assert result[1]["status"] == "on_track"
    assert result[2]["status"] == "at_risk"
    assert result[3]["status"] == "off_track"


def test_bad_trees_and_weights_are_refused() -> None:
    leaves = _leaves([])
    no_children = _children([])
    with pytest.raises(ValueError, match="cycle"):
        roll_up(_objectives([(1, None, None), (2, 3, 1.0), (3, 2, 1.0)]), no_children, leaves)
    with pytest.raises(ValueError, match="not an objective"):
        roll_up(_objectives([(1, 9, 1.0)]), no_children, leaves)
    with pytest.raises(ValueError, match="weights"):
        roll_up(_objectives([(1, None, None)]), _children([(1, "kpi", 1, -1.0)]), leaves)


def test_vision_targets_roll_up_objectives_the_same_way() -> None:
    objective_scores = pl.DataFrame(
        {
            "objective": [1, 3],
            "score": [60.0, 30.0],
            "coverage": [0.625, 0.5],
            "stale_share": [0.25, 0.0],
            "status": ["at_risk", "off_track"],
        }
    )
    serves = pl.DataFrame(
        {"objective": [1, 3, 99], "vision_target": [100, 100, 100], "weight": [1.0, 3.0, 1.0]}
    )
    row = vision_target_scores(objective_scores, serves).row(0, named=True)
    # Objective 99 has no score: no data.
    # score = (1*60 + 3*30) / (1 + 3) = 150 / 4 = 37.5
    # coverage = (1*0.625 + 3*0.5 + 1*0) / 5 = 2.125 / 5 = 0.425
    # stale share = (1*0.25 + 0 + 0) / 5 = 0.05
    assert row["vision_target"] == 100
    assert row["score"] == pytest.approx(37.5)
    assert row["coverage"] == pytest.approx(0.425)
    assert row["stale_share"] == pytest.approx(0.05)
    assert row["status"] == "at_risk"


def test_scorecard_scores_match_kpi_slices_and_count_items_by_status() -> None:
    items = pl.DataFrame(
        {
            "person": [1, 1, 1, 2, 2, 2, 3],
            "kind": ["kpi", "kpi", "initiative", "kpi", "initiative", "kpi", "kpi"],
            "item": [10, 10, 1, 11, 2, 12, 11],
            "unit": [None, 5, None, None, None, None, None],
            "weight": [40.0, 30.0, 30.0, 1.0, 1.0, 2.0, 1.0],
        },
        schema_overrides={"unit": pl.Int64},
    )
    kpi_scores = pl.DataFrame(
        {
            "kpi": [10, 10, 11, 12],
            "unit": [None, 5, None, None],  # KPI 10 for the organisation and for unit 5
            "score": [80.0, 20.0, None, 0.0],
            "status": ["on_track", "off_track", "no_data", "off_track"],
            "stale": [False, True, False, False],
        },
        schema_overrides={"unit": pl.Int64},
    )
    initiative_scores = pl.DataFrame(
        {"initiative": [1], "score": [50.0], "health": ["at_risk"]}
    )  # initiative 2 is missing: no data
    result = _by(scorecard_scores(items, kpi_scores, initiative_scores), "person")
    # Person 1: (40*80 + 30*20 + 30*50) / 100 = (3200 + 600 + 1500) / 100 = 53; all with data;
    # the unit-5 slice (weight 30) is stale: 30 / 100.
    assert result[1]["score"] == pytest.approx(53.0)
    assert result[1]["coverage"] == pytest.approx(1.0)
    assert result[1]["stale_share"] == pytest.approx(0.3)
    assert (result[1]["items"], result[1]["items_off_track"], result[1]["items_at_risk"]) == (
        3,
        1,
        1,
    )
    assert result[1]["items_stale"] == 1
    # Person 2: only KPI 12 (weight 2, score 0) has data: score 0; coverage 2 / 4 = 0.5.
    assert result[2]["score"] == pytest.approx(0.0)
    assert result[2]["coverage"] == pytest.approx(0.5)
    assert (result[2]["items"], result[2]["items_off_track"], result[2]["items_at_risk"]) == (
        3,
        1,
        0,
    )
    # Person 3: nothing with data.
    assert result[3]["score"] is None
    assert result[3]["coverage"] == 0.0
    assert result[3]["items"] == 1


def _reference(
    objectives: list[tuple[int, int | None, float]],
    children: list[tuple[int, str, int, float]],
    scores: dict[int, tuple[float | None, bool]],
) -> dict[int, tuple[float | None, float, float]]:
    """The roll-up written the obvious recursive way, one objective at a time."""

    def one(objective: int) -> tuple[float | None, float, float]:
        parts = [
            (w, *scores.get(child, (None, False))) for o, _, child, w in children if o == objective
        ]
        edges = [(w, s, float(s is not None), float(s is not None and st)) for w, s, st in parts]
        edges += [(w, *one(o)) for o, parent, w in objectives if parent == objective]
        total = sum(w for w, *_ in edges)
        scored = sum(w for w, s, *_ in edges if s is not None)
        score = sum(w * s for w, s, *_ in edges if s is not None) / scored if scored else None
        coverage = sum(w * c for w, _, c, _ in edges) / total if total else 0.0
        stale = sum(w * st for w, _, _, st in edges) / total if total else 0.0
        return score, coverage, stale

    return {objective: one(objective) for objective, _, _ in objectives}


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_roll_up_matches_a_recursive_reference(data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 8))
    weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])
    objectives = [
        (i, data.draw(st.one_of(st.none(), st.integers(1, i - 1))) if i > 1 else None, w)
        for i in range(1, count + 1)
        for w in [data.draw(weights)]
    ]
    children = [
        (data.draw(st.integers(1, count)), "kpi", kpi, data.draw(weights)) for kpi in range(10)
    ]
    scores = {
        kpi: (
            data.draw(st.one_of(st.none(), st.floats(0, 100))),
            data.draw(st.booleans()),
        )
        for kpi in range(10)
    }
    result = roll_up(
        _objectives(objectives),
        _children(children),
        _leaves([("kpi", kpi, s, stale) for kpi, (s, stale) in scores.items()]),
    )
    expected = _reference(objectives, children, scores)
    for row in result.iter_rows(named=True):
        score, coverage, stale = expected[row["objective"]]
        if score is None:
            assert row["score"] is None
        else:
            assert row["score"] == pytest.approx(score)
        assert row["coverage"] == pytest.approx(coverage)
        assert row["stale_share"] == pytest.approx(stale)
