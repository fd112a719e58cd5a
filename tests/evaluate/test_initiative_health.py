"""Initiative health worked by hand (DESIGN, "Initiative health")."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from aligna.evaluate.initiatives import initiative_health

AS_OF = date(2026, 3, 2)
# Most initiatives run 2026-01-01 .. 2026-04-11: 100 days. On 2026-03-02, 60 days have
# passed (31 in January, 28 in February, 1 in March): time elapsed exactly 60%.
START, END = date(2026, 1, 1), date(2026, 4, 11)
FUTURE = date(2026, 4, 1)  # a due date not yet passed


def _health(
    initiatives: list[tuple[int, date, date]],
    milestones: list[tuple[int, int, date, float | None, float | None]],
    as_of: date = AS_OF,
) -> dict[int, dict]:
    frame = initiative_health(
        pl.DataFrame(
            initiatives,
            schema={"initiative": pl.Int64, "start": pl.Date, "end": pl.Date},
            orient="row",
        ),
        pl.DataFrame(
            milestones,
            schema={
                "initiative": pl.Int64,
                "milestone": pl.Int64,
                "due": pl.Date,
                "percent_complete": pl.Float64,
                "weight": pl.Float64,
            },
            orient="row",
        ),
        as_of,
    )
    return {row["initiative"]: row for row in frame.iter_rows(named=True)}


def test_no_milestones_count_as_zero_percent_complete() -> None:
    result = _health([(1, START, END), (2, date(2026, 3, 2), date(2026, 5, 1))], [])
    # 1: 0% complete against 60% elapsed: trails by 60 points.
    assert result[1]["milestones"] == 0
    assert result[1]["percent_complete"] == 0.0
    assert result[1]["time_elapsed"] == pytest.approx(60.0)
    assert (result[1]["health"], result[1]["score"]) == ("at_risk", 50.0)
    # 2: starts today, 0% elapsed: nothing to trail yet.
    assert result[2]["time_elapsed"] == 0.0
    assert (result[2]["health"], result[2]["score"]) == ("on_track", 100.0)


def test_trailing_by_exactly_10_points_is_on_track_and_by_10_1_is_at_risk() -> None:
    result = _health(
        [(1, START, END), (2, START, END)],
        [(1, 1, FUTURE, 50.0, None), (2, 2, FUTURE, 49.9, None)],
    )
    # 60 - 50 = 10, not more than 10.
    assert (result[1]["percent_complete"], result[1]["health"]) == (50.0, "on_track")
    # 60 - 49.9 = 10.1 > 10.
    assert (result[2]["percent_complete"], result[2]["health"]) == (49.9, "at_risk")


def test_exactly_30_days_overdue_is_at_risk_and_31_is_off_track() -> None:
    result = _health(
        [(1, START, END), (2, START, END), (3, START, END)],
        [
            # 2026-01-31 .. 2026-03-02 = 30 days; 2026-01-30 .. 2026-03-02 = 31 days.
            (1, 1, date(2026, 1, 31), 90.0, None),
            (1, 2, FUTURE, 100.0, None),
            (2, 3, date(2026, 1, 30), 90.0, None),
            (2, 4, FUTURE, 100.0, None),
            # Due on as_of itself: not passed yet, so not overdue; one at 100% never is.
            (3, 5, AS_OF, 80.0, None),
            (3, 6, date(2026, 1, 2), 100.0, None),
        ],
    )
    assert (result[1]["overdue_milestones"], result[1]["most_days_overdue"]) == (1, 30)
    assert result[1]["percent_complete"] == pytest.approx(95.0)  # (90 + 100) / 2
    assert result[1]["health"] == "at_risk"
    assert (result[2]["overdue_milestones"], result[2]["most_days_overdue"]) == (1, 31)
    assert result[2]["health"] == "off_track"
    assert (result[3]["overdue_milestones"], result[3]["most_days_overdue"]) == (0, 0)
    assert result[3]["health"] == "on_track"  # 90% against 60% elapsed


def test_end_equal_to_start_is_0_before_the_day_and_100_from_it() -> None:
    result = _health(
        [
            (1, date(2026, 3, 1), date(2026, 3, 1)),  # passed, done
            (2, AS_OF, AS_OF),  # today, nothing done
            (3, date(2026, 3, 3), date(2026, 3, 3)),  # tomorrow
        ],
        [(1, 1, date(2026, 3, 1), 100.0, None)],
    )
    assert (result[1]["time_elapsed"], result[1]["health"]) == (100.0, "on_track")
    # 0/0 on the day itself is 100%; the end has not passed, but 0% trails by 100 points.
    assert (result[2]["time_elapsed"], result[2]["health"]) == (100.0, "at_risk")
    assert (result[3]["time_elapsed"], result[3]["health"]) == (0.0, "on_track")


def test_end_passed_at_100_percent_is_on_track_and_at_99_percent_off_track() -> None:
    ended = date(2026, 3, 1)
    result = _health(
        [(1, START, ended), (2, START, ended)],
        [
            (1, 1, date(2026, 2, 15), 100.0, None),
            (1, 2, ended, 100.0, None),
            # (100 + 98) / 2 = 99; the 98% milestone is due after the end, so not overdue:
            # the passed end alone makes it off track.
            (2, 3, date(2026, 2, 15), 100.0, None),
            (2, 4, date(2026, 3, 10), 98.0, None),
        ],
    )
    assert result[1]["time_elapsed"] == 100.0
    assert (result[1]["percent_complete"], result[1]["health"]) == (100.0, "on_track")
    assert (result[2]["percent_complete"], result[2]["overdue_milestones"]) == (99.0, 0)
    assert (result[2]["health"], result[2]["score"]) == ("off_track", 0.0)


def test_weighted_milestones() -> None:
    result = _health(
        [(i, START, END) for i in range(1, 6)],
        [
            # 1: weights 1 and 3: (1*100 + 3*20) / 4 = 40; trails 60% elapsed by 20.
            (1, 1, date(2026, 2, 1), 100.0, 1.0),
            (1, 2, FUTURE, 20.0, 3.0),
            # 2: the same without weights: (100 + 20) / 2 = 60: on track.
            (2, 3, date(2026, 2, 1), 100.0, None),
            (2, 4, FUTURE, 20.0, None),
            # 3: weights 2, none, 4: the missing one takes their mean, 3:
            #    (2*0 + 3*30 + 4*90) / 9 = 450 / 9 = 50; trails by exactly 10.
            (3, 5, FUTURE, 0.0, 2.0),
            (3, 6, FUTURE, 30.0, None),
            (3, 7, FUTURE, 90.0, 4.0),
            # 4: weights all 0: plain mean (20 + 40) / 2 = 30.
            (4, 8, FUTURE, 20.0, 0.0),
            (4, 9, FUTURE, 40.0, 0.0),
            # 5: fractions 0.1, 0.2, 0.7 of milestones all done: 100% despite float rounding.
            (5, 10, date(2026, 2, 1), 100.0, 0.1),
            (5, 11, date(2026, 2, 1), 100.0, 0.2),
            (5, 12, date(2026, 2, 1), 100.0, 0.7),
        ],
    )
    assert result[1]["percent_complete"] == pytest.approx(40.0)
    assert result[1]["health"] == "at_risk"
    assert result[2]["percent_complete"] == pytest.approx(60.0)
    assert result[2]["health"] == "on_track"
    assert result[3]["percent_complete"] == pytest.approx(50.0)
    assert result[3]["health"] == "on_track"
    assert result[4]["percent_complete"] == pytest.approx(30.0)
    assert result[5]["percent_complete"] == pytest.approx(100.0)
    assert result[5]["health"] == "on_track"


def test_time_elapsed_is_clipped_and_backwards_dates_refused() -> None:
    result = _health(
        [(1, date(2026, 4, 1), date(2026, 5, 1)), (2, date(2025, 1, 1), date(2025, 12, 31))],
        [(2, 1, date(2025, 12, 31), 100.0, None)],
    )
    assert result[1]["time_elapsed"] == 0.0  # not started
    assert result[2]["time_elapsed"] == 100.0  # long over, and done
    assert result[2]["health"] == "on_track"
    with pytest.raises(ValueError, match="ends"):
        _health([(1, date(2026, 2, 1), date(2026, 1, 1))], [])


def test_milestones_of_unknown_initiatives_are_ignored() -> None:
    result = _health([(1, START, END)], [(9, 1, date(2026, 1, 1), 0.0, None)])
    assert list(result) == [1]
    assert result[1]["milestones"] == 0
