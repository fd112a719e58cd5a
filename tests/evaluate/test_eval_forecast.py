"""Forecast: a least-squares line over the last 12 closed values, extended to the end period.

The series rise by 2 a month from 100 (January 2025) to 122 (December 2025), evaluated on
10 January 2026: the line is exact, slope 2, 122 at 2025-12, so 122 + 2k k months later.
"""

from __future__ import annotations

from datetime import date

import pytest
from eval_support import one_series

AS_OF = date(2026, 1, 10)
RISING = [100.0 + 2 * i for i in range(12)]  # 100, 102, ..., 122


def forecast(values, polarity="higher_is_better", **spec):  # type: ignore[no-untyped-def]
    results = one_series(values, as_of=AS_OF, polarity=polarity, **spec)
    rows = results.forecasts.rows(named=True)
    return rows[0] if rows else None


def test_will_miss_and_when_it_would_reach() -> None:
    # Target 150 by 2026-12: 122 + 2 * 12 = 146 < 150: will miss. 150 = 122 + 2 * 14:
    # reached in 2027-02, after the end.
    got = forecast(RISING, target_value=150.0, target_by="2026-12")
    assert got == {
        "kpi": 1,
        "unit": None,
        "end_period": "2026-12",
        "final_target": 150.0,
        "projected": pytest.approx(146.0),
        "slope": pytest.approx(2.0),
        "meets": False,
        "reach_period": "2027-02",
    }


def test_will_meet() -> None:
    # Target 140 by 2026-12: 146 >= 140. 122 + 2k >= 140 from k = 9: 2026-09.
    got = forecast(RISING, target_value=140.0, target_by="2026-12")
    assert (got["meets"], got["reach_period"]) == (True, "2026-09")


def test_landing_exactly_on_the_target_meets() -> None:
    # Target 146: the line lands on it at 2026-12 exactly (equality meets), reached then.
    got = forecast(RISING, target_value=146.0, target_by="2026-12")
    assert got["projected"] == 146.0
    assert (got["meets"], got["reach_period"]) == (True, "2026-12")


def test_a_target_already_met_is_reached_in_the_next_period() -> None:
    got = forecast(RISING, target_value=110.0, target_by="2026-12")
    assert (got["meets"], got["reach_period"]) == (True, "2026-01")


def test_a_line_heading_away_never_reaches() -> None:
    falling = list(reversed(RISING))  # 122 down to 100, slope -2
    got = forecast(falling, target_value=150.0, target_by="2026-12")
    # 100 - 2 * 12 = 76 < 150; heading down, never reaches 150.
    assert (got["projected"], got["meets"], got["reach_period"]) == (
        pytest.approx(76.0),
        False,
        None,
    )


def test_lower_is_better() -> None:
    falling = list(reversed(RISING))
    # Target 80 by 2026-12: 76 <= 80 meets; 100 - 2k <= 80 from k = 10: 2026-10.
    got = forecast(falling, polarity="lower_is_better", target_value=80.0, target_by="2026-12")
    assert (got["meets"], got["reach_period"]) == (True, "2026-10")


def test_only_the_last_twelve_values_count() -> None:
    # Three wild values first, then the 12 rising ones (2025-04 .. 2026-03 here).
    results = one_series(
        [500.0, -500.0, 500.0, *RISING],
        first="2025-01",
        as_of=date(2026, 4, 10),
        target_value=150.0,
        target_by="2026-12",
    )
    got = results.forecasts.row(0, named=True)
    # Slope 2, 122 at 2026-03: at 2026-12 (9 months on) 140.
    assert got["slope"] == pytest.approx(2.0)
    assert got["projected"] == pytest.approx(140.0)


def test_without_an_end_the_forecast_runs_to_the_end_of_the_year() -> None:
    # No `by`: the end is 2026-12, the last period of the as_of year; t = 140 throughout.
    got = forecast(RISING, target_value=140.0)
    assert (got["end_period"], got["final_target"], got["projected"]) == (
        "2026-12",
        140.0,
        pytest.approx(146.0),
    )
    # An end already past (2025-06): also the end of the as_of year, at the final target.
    past = forecast(
        RISING,
        baseline_period="2025-01",
        baseline_value=100.0,
        target_value=110.0,
        target_by="2025-06",
    )
    assert (past["end_period"], past["final_target"]) == ("2026-12", 110.0)


def test_final_target_is_the_trajectory_at_its_end() -> None:
    # Baseline 100 at 2025-01 rising linearly to 130 by 2027-12: the final target is 130,
    # the line gives 122 + 2 * 24 = 170 there: meets; 130 = 122 + 2 * 4: 2026-04.
    got = forecast(
        RISING,
        baseline_period="2025-01",
        baseline_value=100.0,
        target_value=130.0,
        target_by="2027-12",
    )
    assert (got["end_period"], got["final_target"], got["projected"]) == (
        "2027-12",
        130.0,
        pytest.approx(170.0),
    )
    assert got["reach_period"] == "2026-04"


def test_within_range_meets_inside_the_band() -> None:
    band = {"band_lo": 130.0, "band_hi": 140.0, "red_band_lo": 120.0, "red_band_hi": 150.0}
    got = forecast(RISING, polarity="within_range", **band)
    # At 2026-12: 146, outside [130, 140]: will miss. The line enters the band at
    # 122 + 2k >= 130, k = 4: 2026-04. The final target is the band's middle, 135.
    assert (got["final_target"], got["meets"], got["reach_period"]) == (135.0, False, "2026-04")
    inside = forecast(RISING, polarity="within_range", **(band | {"band_hi": 150.0}))
    assert inside["meets"] is True  # 146 inside [130, 150]


def test_fewer_than_three_values_give_no_forecast() -> None:
    assert forecast([100.0, 102.0], target_value=150.0) is None
    assert forecast([100.0, 102.0, 104.0], target_value=150.0) is not None


def test_no_forecast_without_a_target() -> None:
    assert forecast(RISING) is None
