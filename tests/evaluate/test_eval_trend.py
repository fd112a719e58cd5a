"""Trend: the least-squares slope over the last 6 values, against 1% of |t|.

x is the period ordinal, so a missing month leaves a gap in x. For x = 0, 1, 2 and y = a, b,
c the slope is (c - a) / 2; the change over the window is slope * (x_last - x_first).
"""

from __future__ import annotations

from datetime import date

import pytest
from eval_support import column, one_series


def trend(values, as_of, **spec):  # type: ignore[no-untyped-def]
    results = one_series(values, as_of=as_of, **spec)
    frame = results.evaluations.filter(~results.evaluations["partial"])
    return frame["trend"].to_list(), frame


def test_improving_needs_three_values() -> None:
    # t = 100: 1% is 1. Values rise by 1 a month.
    words, frame = trend(
        [100.0, 101.0, 102.0, 103.0, 104.0, 105.0], date(2025, 7, 5), target_value=100.0
    )
    # 1 and 2 values: no trend. At 3 values slope 1, change 1 * 2 = 2 > 1: improving.
    assert words == [None, None, "improving", "improving", "improving", "improving"]
    # At 6 values: slope 1 over x 0..5, change 5.
    last = frame.row(-1, named=True)
    assert last["trend"] == "improving"


def test_lower_is_better_reads_the_same_rise_as_worsening() -> None:
    words, _ = trend(
        [100.0, 101.0, 102.0], date(2025, 4, 5), polarity="lower_is_better", target_value=100.0
    )
    assert words == [None, None, "worsening"]


def test_a_change_within_one_percent_is_flat_and_exactly_one_percent_too() -> None:
    # 100, 100.2, 100.4: slope 0.2, change 0.4 <= 1: flat.
    assert trend([100.0, 100.2, 100.4], date(2025, 4, 5), target_value=100.0)[0][2] == "flat"
    # 100, 100.5, 101: slope 0.5, change 1.0 = 1% of 100: flat (at most 1% is flat).
    assert trend([100.0, 100.5, 101.0], date(2025, 4, 5), target_value=100.0)[0][2] == "flat"
    # 100, 100.6, 101.2: change 1.2 > 1: improving.
    assert trend([100.0, 100.6, 101.2], date(2025, 4, 5), target_value=100.0)[0][2] == "improving"


def test_falling_values_worsen_a_higher_is_better_kpi() -> None:
    words, _ = trend([110.0, 108.0, 106.0], date(2025, 4, 5), target_value=100.0)
    assert words[2] == "worsening"  # slope -2, change -4, |-4| > 1


def test_only_the_last_six_values_count() -> None:
    # 130 then 100..105: at the 7th value the window is 100..105 (slope 1, change 5).
    words, _ = trend(
        [130.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0], date(2025, 8, 5), target_value=100.0
    )
    # At the 6th value the window still holds 130: 130, 100, 101, 102, 103, 104 at x = 0..5.
    # mean x 2.5, mean y 106.667; sum (x - 2.5)(y - 106.667) = -2.5 * 23.333 - 1.5 * -6.667
    # - 0.5 * -5.667 + 0.5 * -4.667 + 1.5 * -3.667 + 2.5 * -2.667 = -58.333 + 10 + 2.833
    # - 2.333 - 5.5 - 6.667 = -60; sum (x - 2.5)^2 = 17.5; slope -3.4286: worsening.
    assert words[5] == "worsening"
    assert words[6] == "improving"


def test_missing_periods_are_skipped_not_filled() -> None:
    # Months 1, 2, 4, 5 have 100, 102, 106, 108 (month 3 missing): x = 0, 1, 3, 4.
    # mean x 2, mean y 104; sum dx dy = 8 + 2 + 2 + 8 = 20; sum dx^2 = 10; slope 2;
    # change 2 * (4 - 0) = 8 > 1: improving. The missing month has no trend.
    words, frame = trend([100.0, 102.0, None, 106.0, 108.0], date(2025, 6, 5), target_value=100.0)
    assert words == [None, None, None, "improving", "improving"]
    assert frame["status"][2] == "no_data"


def test_zero_target_compares_with_the_mean_absolute_actual() -> None:
    # t = 0 (red flag given): 1% of the mean |a|. -1, 0, 1: mean |a| = 2/3, 1% = 0.00667;
    # change 2: improving.
    assert (
        trend([-1.0, 0.0, 1.0], date(2025, 4, 5), target_value=0.0, red_flag_value=-5.0)[0][2]
        == "improving"
    )
    # 100, 100.2, 100.4 with t = 0: 1% of 100.2 = 1.002 >= change 0.4: flat.
    assert (
        trend([100.0, 100.2, 100.4], date(2025, 4, 5), target_value=0.0, red_flag_value=-5.0)[0][2]
        == "flat"
    )
    # All zero: change 0, threshold 0: flat (a change of 0 is flat).
    assert (
        trend([0.0, 0.0, 0.0], date(2025, 4, 5), target_value=0.0, red_flag_value=-5.0)[0][2]
        == "flat"
    )


def test_without_a_target_the_mean_absolute_actual_sets_the_threshold() -> None:
    # No target at all: 1% of mean |a| = 1% of 101 = 1.01 < change 2: improving.
    results = one_series([100.0, 101.0, 102.0], as_of=date(2025, 4, 5))
    assert column(results, "trend")[2] == "improving"


BAND = {"band_lo": 2.0, "band_hi": 4.0, "red_band_lo": 1.0, "red_band_hi": 5.0}


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ([1.0, 1.5, 2.0], "improving"),  # rising towards the middle 3 from below
        ([3.0, 3.5, 4.0], "worsening"),  # rising away from the middle
        ([4.0, 3.5, 3.0], "improving"),  # falling towards it from above
        # 2.5 -> 3.5 crosses the middle: the line starts and ends 0.5 from it: flat.
        ([2.5, 3.0, 3.5], "flat"),
        ([3.0, 3.01, 3.02], "flat"),  # change 0.02 <= 1% of 3 = 0.03
    ],
)
def test_within_range_improves_towards_the_middle(values: list[float], word: str) -> None:
    words, _ = trend(values, date(2025, 4, 5), polarity="within_range", **BAND)
    assert words[2] == word
