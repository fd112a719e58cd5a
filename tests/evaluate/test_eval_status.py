"""Status and score, each polarity on both sides of each threshold and exactly on it.

Every expected score is worked out by hand from the design's curve: 100/3 at r, 200/3 at t,
100 at s, straight lines between, the r..t slope carried on below r, clipped to [0, 100].
Writing T = 200/3 = 66.667 and R = 100/3 = 33.333 for the scores at t and at r.
"""

from __future__ import annotations

from datetime import date

import pytest
from eval_support import column, one_series

T, R = 200 / 3, 100 / 3
AS_OF = date(2025, 12, 5)  # January..November closed; all within 45 days: nothing stale


def closed(results, name):  # type: ignore[no-untyped-def]
    """A column over the closed periods only."""
    frame = results.evaluations.filter(~results.evaluations["partial"])
    return frame[name].to_list()


def test_higher_is_better_around_red_flag_target_and_stretch() -> None:
    # t = 100, r = 90, s = 110: a step of 10 moves the score by R = 33.333.
    values = [120.0, 110.0, 105.0, 100.0, 95.0, 90.0, 85.0, 80.0, 70.0]
    results = one_series(
        values, as_of=AS_OF, target_value=100.0, red_flag_value=90.0, stretch_value=110.0
    )
    status = closed(results, "status")
    assert status == [
        "on_track",  # 120 >= t
        "on_track",  # 110 >= t
        "on_track",  # 105 >= t
        "on_track",  # 100 = t: a >= t
        "at_risk",  # r <= 95 < t
        "at_risk",  # 90 = r: off track only below r
        "off_track",  # 85 < r
        "off_track",
        "off_track",
        "no_data",  # October: no value
        # November, the latest closed period: the last value (September, ended 30 Sep) is
        # 66 days old on 5 December, past the monthly limit of 45: stale.
        "stale",
    ]
    assert closed(results, "score")[:9] == pytest.approx(
        [
            100.0,  # T + 20 * R / 10 = 133.3 clipped to 100
            100.0,  # s: 100
            T + 5 * R / 10,  # 83.333
            T,  # t: 66.667
            T - 5 * R / 10,  # 50
            R,  # r: 33.333
            R - 5 * R / 10,  # 16.667, the r..t slope carried on below r
            0.0,  # T - 20 * R / 10 = 0
            0.0,  # T - 30 * R / 10 = -33.3 clipped to 0
        ]
    )
    # variance a - t and percent of target 100 a / t.
    assert closed(results, "variance")[:3] == pytest.approx([20.0, 10.0, 5.0])
    assert closed(results, "percent_of_target")[:3] == pytest.approx([120.0, 110.0, 105.0])


def test_lower_is_better_mirrors_the_curve() -> None:
    # t = 100, r = 110, s = 90: lower is better.
    values = [80.0, 90.0, 95.0, 100.0, 105.0, 110.0, 115.0, 120.0]
    results = one_series(
        values,
        as_of=AS_OF,
        polarity="lower_is_better",
        target_value=100.0,
        red_flag_value=110.0,
        stretch_value=90.0,
    )
    assert closed(results, "status")[:8] == [
        "on_track",  # 80 <= t
        "on_track",  # 90 = s
        "on_track",  # 95 <= t
        "on_track",  # 100 = t
        "at_risk",  # t < 105 <= r
        "at_risk",  # 110 = r
        "off_track",  # 115 > r
        "off_track",
    ]
    assert closed(results, "score")[:8] == pytest.approx(
        [100.0, 100.0, T + R / 2, T, T - R / 2, R, R / 2, 0.0]
    )


def test_default_thresholds_are_ten_percent_of_the_target() -> None:
    # No red flag or stretch given: r = t - 0.1 |t| = 90, s = t + (t - r) = 110.
    results = one_series([95.0, 105.0], as_of=date(2025, 3, 5), target_value=100.0)
    assert closed(results, "red_flag") == [90.0, 90.0]
    assert closed(results, "stretch") == [110.0, 110.0]
    assert closed(results, "score") == pytest.approx([50.0, T + R / 2])


def test_zero_target_with_a_given_red_flag() -> None:
    # t = 0, r = -10 (given), s = t + (t - r) = 10. Percent of target: null (never / 0).
    values = [0.0, -5.0, -10.0, -15.0, 5.0]
    results = one_series(values, as_of=date(2025, 6, 5), target_value=0.0, red_flag_value=-10.0)
    assert closed(results, "status") == ["on_track", "at_risk", "at_risk", "off_track", "on_track"]
    assert closed(results, "score") == pytest.approx([T, R + R / 2, R, R / 2, T + R / 2])
    assert closed(results, "percent_of_target") == [None] * 5
    assert closed(results, "variance") == [0.0, -5.0, -10.0, -15.0, 5.0]


def test_zero_target_without_red_flag_is_all_or_nothing() -> None:
    # t = 0 and no red flag: the default r = 0 - 0.1 * 0 = 0 = t, so met gives 100, else 0.
    results = one_series([0.0, -1.0, 3.0], as_of=date(2025, 4, 5), target_value=0.0)
    assert closed(results, "status") == ["on_track", "off_track", "on_track"]
    assert closed(results, "score") == [100.0, 0.0, 100.0]


def test_red_flag_equal_to_target() -> None:
    # r = t = 100: at risk never happens; the score is 100 when met, else 0.
    results = one_series(
        [100.0, 99.5, 120.0], as_of=date(2025, 4, 5), target_value=100.0, red_flag_value=100.0
    )
    assert closed(results, "status") == ["on_track", "off_track", "on_track"]
    assert closed(results, "score") == [100.0, 0.0, 100.0]


def test_negative_target_higher_is_better() -> None:
    # t = -50: r = -50 - 0.1 * 50 = -55, s = -50 + 5 = -45; a step of 5 moves the score by R.
    results = one_series([-50.0, -45.0, -52.0, -57.5], as_of=date(2025, 5, 5), target_value=-50.0)
    assert closed(results, "red_flag") == [-55.0] * 4
    assert closed(results, "stretch") == [-45.0] * 4
    assert closed(results, "status") == ["on_track", "on_track", "at_risk", "off_track"]
    # -52: T - 2 * R / 5 = 53.333; -57.5: T - 7.5 * R / 5 = 16.667.
    assert closed(results, "score") == pytest.approx([T, 100.0, T - 2 * R / 5, R / 2])
    # The percentage is a plain ratio: -52 / -50 = 104%, although -52 is worse.
    assert closed(results, "percent_of_target")[2] == pytest.approx(104.0)


def test_negative_target_lower_is_better() -> None:
    # t = -20: r = -20 + 0.1 * 20 = -18, s = -20 - 2 = -22.
    results = one_series(
        [-21.0, -19.0, -17.0],
        as_of=date(2025, 4, 5),
        polarity="lower_is_better",
        target_value=-20.0,
    )
    assert closed(results, "red_flag") == [-18.0] * 3
    assert closed(results, "stretch") == [-22.0] * 3
    assert closed(results, "status") == ["on_track", "at_risk", "off_track"]
    # -21: halfway from t to s, T + R / 2; -19: halfway from t to r, T - R / 2;
    # -17: one unit past r, R - R / 2.
    assert closed(results, "score") == pytest.approx([T + R / 2, T - R / 2, R / 2])


BAND = {"band_lo": 2.0, "band_hi": 4.0, "red_band_lo": 1.0, "red_band_hi": 5.0}


def test_within_range_inside_between_and_outside() -> None:
    # Band [2, 4], middle 3, red band [1, 5]: inside, T at the edges up to 100 at the middle;
    # outside, T at the edge down to R at the red edge (one unit away) and on with that slope.
    values = [3.0, 2.5, 4.0, 2.0, 4.5, 5.0, 1.0, 5.5, 0.0, 7.0, 1.5]
    results = one_series(values, as_of=AS_OF, polarity="within_range", **BAND)
    assert closed(results, "status") == [
        "on_track",  # middle
        "on_track",
        "on_track",  # hi edge
        "on_track",  # lo edge
        "at_risk",  # between hi and red hi
        "at_risk",  # on red hi
        "at_risk",  # on red lo
        "off_track",  # beyond red hi
        "off_track",
        "off_track",
        "at_risk",
    ]
    assert closed(results, "score") == pytest.approx(
        [
            100.0,
            T + 0.5 * R,  # 83.333: half way from the edge to the middle
            T,
            T,
            T - 0.5 * R,  # 50
            R,
            R,
            R - 0.5 * R,  # 16.667
            0.0,  # T - 2 R = 0
            0.0,  # T - 3 R < 0, clipped
            T - 0.5 * R,
        ]
    )
    # Within range, t is the band's middle: variance a - 3, percent 100 a / 3.
    assert closed(results, "target")[0] == 3.0
    assert closed(results, "variance")[:2] == [0.0, -0.5]
    assert closed(results, "percent_of_target")[1] == pytest.approx(250 / 3)
    assert closed(results, "red_flag")[0] is None


def test_zero_width_band() -> None:
    # lo = hi = 5: 100 on it; red band [4, 6], one unit each side.
    results = one_series(
        [5.0, 5.5, 4.0, 3.5],
        as_of=date(2025, 5, 5),
        polarity="within_range",
        band_lo=5.0,
        band_hi=5.0,
        red_band_lo=4.0,
        red_band_hi=6.0,
    )
    assert closed(results, "status") == ["on_track", "at_risk", "at_risk", "off_track"]
    assert closed(results, "score") == pytest.approx([100.0, T - 0.5 * R, R, R - 0.5 * R])


def test_band_without_red_margin() -> None:
    # Red band = band: outside is off track at once, and scores 0.
    results = one_series(
        [4.5, 3.0],
        as_of=date(2025, 3, 5),
        polarity="within_range",
        band_lo=2.0,
        band_hi=4.0,
        red_band_lo=2.0,
        red_band_hi=4.0,
    )
    assert closed(results, "status") == ["off_track", "on_track"]
    assert closed(results, "score") == [0.0, 100.0]


def test_no_target_means_no_status() -> None:
    # A value without any target: no status word, no score, nothing to compare.
    results = one_series([5.0], as_of=date(2025, 2, 5))
    assert column(results, "status") == [None, None]
    assert column(results, "score") == [None, None]
