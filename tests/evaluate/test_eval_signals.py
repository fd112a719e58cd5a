"""XmR limits against a published data set, and each detection rule, favourable and adverse."""

from __future__ import annotations

from datetime import date

import pytest
from eval_support import evaluate, kpis_frame, monthly, one_series, specs_frame, values_frame

# NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2.2 "Individuals Control
# Charts" (https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc322.htm): the flow rate of
# the first 10 batches of a new process. Published: mean 50.81, MR-bar 1.8778,
# UCL 55.8041, LCL 45.8159 (3 / d2 = 3 / 1.128 = 2.6596 times MR-bar) and a moving-range
# UCL of 3.267 * 1.8778 = 6.1349.
NIST = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def test_nist_individuals_chart_example() -> None:
    results = one_series(NIST, as_of=date(2025, 11, 5))
    tenth = results.evaluations.filter(results.evaluations["period"] == "2025-10").row(
        0, named=True
    )
    # By hand: sum 508.1 / 10 = 50.81. Moving ranges 2.0 2.3 1.4 3.5 3.4 1.4 0.2 1.2 1.5,
    # sum 16.9, mR-bar 16.9 / 9 = 1.877778. Limits 50.81 -+ 2.66 * 1.877778 = 50.81 -+
    # 4.994889; upper range limit 3.268 * 1.877778 = 6.136578.
    assert tenth["centre"] == pytest.approx(50.81)
    assert tenth["upper_limit"] == pytest.approx(55.804889, abs=1e-6)
    assert tenth["lower_limit"] == pytest.approx(45.815111, abs=1e-6)
    assert tenth["upper_range_limit"] == pytest.approx(6.136578, abs=1e-6)
    # The published limits, to the precision the design's constants allow: 2.66 against
    # 3 / 1.128 = 2.6596 moves them by 0.0008; 3.268 against 3.267 the range limit by 0.002.
    assert tenth["upper_limit"] == pytest.approx(55.8041, abs=1e-3)
    assert tenth["lower_limit"] == pytest.approx(45.8159, abs=1e-3)
    assert tenth["upper_range_limit"] == pytest.approx(6.1349, abs=2e-3)
    # The data show no signal under any rule.
    assert results.evaluations["signals"].list.len().sum() == 0


def test_limits_use_the_values_up_to_the_period() -> None:
    results = one_series(NIST, as_of=date(2025, 11, 5))
    frame = results.evaluations
    # Before 6 values: no limits.
    assert frame["centre"].to_list()[:5] == [None] * 5
    # At 6 values, from those 6: mean 297.4 / 6 = 49.566667; moving ranges 2.0 2.3 1.4 3.5
    # 3.4 sum 12.6 / 5 = 2.52; upper limit 49.566667 + 2.66 * 2.52 = 56.269867.
    sixth = frame.row(5, named=True)
    assert sixth["centre"] == pytest.approx(49.566667, abs=1e-6)
    assert sixth["upper_limit"] == pytest.approx(56.269867, abs=1e-6)
    # The current period (November, no value yet) shows the limits in force: those of 10.
    assert frame.row(-1, named=True)["centre"] == pytest.approx(50.81)


# A baseline of 12 values alternating 150, 100: centre 125, every moving range 50, so
# mR-bar 50; limits 125 -+ 133 = [-8, 258]; half-way lines 125 -+ 66.5 = [58.5, 191.5].
# (2.66 * 50 and 1.33 * 50 are exact in binary, so values can sit exactly on the lines.)
BASELINE = [150.0, 100.0] * 6


def signals_of(extra: list[float | None], polarity: str = "higher_is_better", **spec):  # type: ignore[no-untyped-def]
    values = BASELINE + extra
    kpis = kpis_frame({"kpi": 1, "polarity": polarity})
    specs = specs_frame({"kpi": 1, "polarity": polarity, **spec}) if spec else specs_frame()
    # Evaluated on the 5th of the month after the last value.
    month = 2024 * 12 + len(values)
    as_of = date(month // 12, month % 12 + 1, 5)
    results = evaluate(kpis, values_frame(monthly(1, "2024-01", values)), specs, as_of)
    frame = results.evaluations
    return frame, frame["signals"].to_list()


def test_settled_limits() -> None:
    frame, _ = signals_of([125.0])
    row = frame.row(12, named=True)
    assert (row["centre"], row["lower_limit"], row["upper_limit"]) == (125.0, -8.0, 258.0)
    assert row["upper_range_limit"] == pytest.approx(3.268 * 50)


def test_rule_1_beyond_a_limit_strictly() -> None:
    _, signals = signals_of([258.0, 258.5, -8.0, -8.5])
    assert signals[12] == []  # exactly on the upper limit: no signal
    assert signals[13] == [{"rule": 1, "side": "above", "favourable": True}]
    assert signals[14] == []
    assert signals[15] == [{"rule": 1, "side": "below", "favourable": False}]


def test_rule_1_is_adverse_above_for_lower_is_better() -> None:
    _, signals = signals_of([258.5, -8.5], polarity="lower_is_better")
    assert signals[12] == [{"rule": 1, "side": "above", "favourable": False}]
    assert signals[13] == [{"rule": 1, "side": "below", "favourable": True}]


def test_rule_2_three_of_four_beyond_the_half_way_line() -> None:
    # After the baseline (last value 100): 200, 125, 200, 200. At the 16th value the last
    # four are 200 125 200 200: three beyond 191.5, this one among them: rule 2 above.
    # At the 15th: 100 200 125 200, only two.
    _, signals = signals_of([200.0, 125.0, 200.0, 200.0])
    assert signals[14] == []
    assert signals[15] == [{"rule": 2, "side": "above", "favourable": True}]
    # The same values for a lower-is-better KPI: an adverse signal.
    _, adverse = signals_of([200.0, 125.0, 200.0, 200.0], polarity="lower_is_better")
    assert adverse[15] == [{"rule": 2, "side": "above", "favourable": False}]


def test_rule_2_is_dated_at_the_value_that_completes_it() -> None:
    # 200 200 200 125: three beyond at the 15th value (100 200 200 200); the 16th's window
    # (200 200 200 125) also holds three, but 125 is not beyond: no signal at the 16th.
    _, signals = signals_of([200.0, 200.0, 200.0, 125.0])
    assert signals[13] == []  # 150 100 200 200: two beyond
    assert signals[14] == [{"rule": 2, "side": "above", "favourable": True}]
    assert signals[15] == []


def test_rule_2_needs_strictly_beyond_and_works_below() -> None:
    # 191.5 is on the line, not beyond. Below: 50 50 125 50 -> the 4th completes rule 2.
    _, above = signals_of([191.5, 191.5, 191.5, 191.5])
    assert [s for s in above[12:] if s] == []
    _, below = signals_of([50.0, 50.0, 125.0, 50.0], polarity="lower_is_better")
    assert below[13] == []  # 150 100 50 50 -> two below 58.5 (100 is not)
    assert below[15] == [{"rule": 2, "side": "below", "favourable": True}]


def test_rule_3_eight_on_one_side_of_the_centre() -> None:
    # Eight values of 130 (above 125, inside the half-way line): the 8th completes the run.
    _, signals = signals_of([130.0] * 9)
    assert [bool(s) for s in signals[12:21]] == [False] * 7 + [True, True]
    assert signals[19] == [{"rule": 3, "side": "above", "favourable": True}]
    # Lower is better: the same run above the centre is adverse.
    _, adverse = signals_of([130.0] * 8, polarity="lower_is_better")
    assert adverse[19] == [{"rule": 3, "side": "above", "favourable": False}]


def test_rule_3_a_value_on_the_centre_breaks_the_run() -> None:
    _, signals = signals_of([120.0] * 4 + [125.0] + [120.0] * 8)
    # The run restarts after the 125: 8 more values below, complete at the 25th value.
    assert [i for i, s in enumerate(signals) if s] == [24]
    assert signals[24] == [{"rule": 3, "side": "below", "favourable": False}]


def test_several_rules_at_once_are_listed_by_rule() -> None:
    # Eight values of 200: rule 2 from the 3rd of them, rule 3 at the 8th: both at the 8th.
    _, signals = signals_of([200.0] * 8)
    assert signals[19] == [
        {"rule": 2, "side": "above", "favourable": True},
        {"rule": 3, "side": "above", "favourable": True},
    ]


def test_within_range_signals_are_favourable_towards_the_middle() -> None:
    # Band [100, 140], middle 120; the centre line 125 sits above it. A run below the
    # centre at 122 moves towards 120 (2 from it, against the centre's 5): favourable.
    # A run above at 130 moves away (10 from it): adverse. A value of 259 beyond the upper
    # limit: adverse; -9 beyond the lower limit, 129 from the middle: adverse too.
    band = {"band_lo": 100.0, "band_hi": 140.0, "red_band_lo": 90.0, "red_band_hi": 150.0}
    _, towards = signals_of([122.0] * 8, polarity="within_range", **band)
    assert towards[19] == [{"rule": 3, "side": "below", "favourable": True}]
    _, away = signals_of([130.0] * 8, polarity="within_range", **band)
    assert away[19] == [{"rule": 3, "side": "above", "favourable": False}]
    _, outliers = signals_of([259.0, -9.0], polarity="within_range", **band)
    assert outliers[12] == [{"rule": 1, "side": "above", "favourable": False}]
    assert outliers[13] == [{"rule": 1, "side": "below", "favourable": False}]


def test_no_signals_when_the_moving_ranges_are_zero() -> None:
    results = one_series([10.0] * 12 + [11.0, 30.0], as_of=date(2026, 3, 5))
    frame = results.evaluations
    row = frame.row(12, named=True)
    # Centre 10, mR-bar 0: the limits collapse onto the centre, and no rule may fire.
    assert (row["centre"], row["lower_limit"], row["upper_limit"]) == (10.0, 10.0, 10.0)
    assert frame["signals"].list.len().sum() == 0


def test_a_kpi_may_set_its_own_window() -> None:
    # Window 6: limits settle after 6 values: 100, 110 x 3 -> centre 105, mR-bar 10,
    # upper limit 105 + 26.6 = 131.6; the 7th value (200) does not move them.
    kpis = kpis_frame({"kpi": 1, "xmr_window": 6})
    values = values_frame(monthly(1, "2025-01", [100.0, 110.0] * 3 + [200.0, 100.0]))
    results = evaluate(kpis, values, specs_frame(), date(2025, 9, 5))
    frame = results.evaluations
    assert frame["centre"].to_list()[5:8] == [105.0, 105.0, 105.0]
    assert frame["upper_limit"][6] == pytest.approx(131.6)
    assert frame["signals"][6].to_list() == [{"rule": 1, "side": "above", "favourable": True}]
