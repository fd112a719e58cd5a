"""explain_kpi: the arithmetic of one period, read from the evaluation's own columns."""

from __future__ import annotations

from datetime import date

import pytest
from eval_support import kpis_frame, monthly, overrides_frame, specs_frame, values_frame

from aligna.evaluate import explain_kpi

# Monthly, higher is better; trajectory 88 at 2025-12 to 97 by 2030-12 (60 months); red flag
# -5% of |t|; default stretch. Values 88..93 for January..June 2026, evaluated 10 July.
KPIS = kpis_frame({"kpi": 1})
SPECS = specs_frame(
    {
        "kpi": 1,
        "baseline_period": "2025-12",
        "baseline_value": 88.0,
        "target_value": 97.0,
        "target_by": "2030-12",
        "red_flag_offset": "-5%",
    }
)
VALUES = values_frame(monthly(1, "2026-01", [88.0, 89.0, 90.0, 91.0, 92.0, 93.0]))


def explain(period: str, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    inputs = {"kpis": KPIS, "values": VALUES, "specs": SPECS, "overrides": overrides_frame()}
    return explain_kpi(1, None, period, as_of=date(2026, 7, 10), **(inputs | kw))


def test_every_step_of_a_closed_period() -> None:
    lines = explain("2026-06")
    assert lines[0] == (
        "KPI 1 for the organisation, 2026-06 (closed period): higher_is_better, month, "
        "evaluated as of 2026-07-10"
    )
    assert lines[1] == "actual a = 93"
    # t = 88 + 9 * 6 / 60 = 88.9; r = 88.9 - 4.445 = 84.455; s = 88.9 + 4.445 = 93.345.
    assert lines[2] == (
        "target t = 88.9: linear interpolation from the baseline, B + (V - B) x f = 88 + "
        "(97 - 88) x 0.1 (baseline 88 at 2025-12, 97 by 2030-12)"
    )
    assert lines[3] == "red flag r = 84.455: an offset of -5% of |t|: t + (-5 / 100) x |t|"
    assert lines[4] == "stretch s = 93.345: the default, t + (t - r) = 88.9 + (88.9 - 84.455)"
    assert lines[5] == "status on_track: a >= t"
    # 66.6667 + (93 - 88.9) * 33.3333 / 4.445 = 66.6667 + 0.922385 * 33.3333 = 97.4128.
    assert lines[6] == (
        "score 97.4128: between the target and the stretch, on the line through (88.9, "
        "66.6667) and (93.345, 100): 66.6667 + (a - 88.9) x (100 - 66.6667) / (93.345 - 88.9)"
        " = 97.4128"
    )
    # Slope 1 over x 0..5, change 5 against 1% of 88.9 = 0.889.
    assert lines[7] == (
        "trend improving: least-squares slope 1 per period over the 6 values from 2026-01 to "
        "2026-06; change = slope x periods spanned = 5, against 1% of |t| = 0.889"
    )
    # Six values: mean 90.5, five moving ranges of 1: limits 90.5 -+ 2.66, 90.5 -+ 1.33.
    assert lines[8] == (
        "XmR baseline: the first 6 values (2026-01 to 2026-06): centre = their mean = 90.5, "
        "mR-bar = mean of their 5 moving ranges = 1"
    )
    assert lines[9] == (
        "natural process limits = centre -+ 2.66 x mR-bar = [87.84, 93.16]; half-way lines = "
        "centre -+ 1.33 x mR-bar = [89.17, 91.83]; upper range limit = 3.268 x mR-bar = 3.268"
    )
    assert lines[10] == "signals: none dated at this period"
    # Line 93 + k at 2026-06 + k: 2030-12 is 54 months on: 147 >= 97; 97 at k = 4: 2026-10.
    assert lines[11] == (
        "forecast: least-squares line through the last 6 closed values (2026-01 to 2026-06), "
        "slope 1 per period, 93 at 2026-06; at 2030-12 it projects 147 against the final "
        "target 97: will meet; the line reaches it in 2026-10"
    )


def test_a_signal_names_the_limit_it_crossed() -> None:
    values = values_frame(monthly(1, "2026-01", [90.0, 91.0] * 3 + [95.0]))
    lines = explain_kpi(
        1,
        None,
        "2026-07",
        kpis=KPIS,
        values=values,
        specs=SPECS,
        overrides=overrides_frame(),
        as_of=date(2026, 8, 10),
    )
    # Seven values: mean (3 * 181 + 95) / 7 = 91.142857; six moving ranges 1 1 1 1 1 4:
    # mR-bar 9 / 6 = 1.5; upper limit 91.142857 + 3.99 = 95.132857 > 95: no rule 1. Rule 2:
    # the last four 91 90 91 95 against 91.142857 + 1.995 = 93.137857: one. No signal.
    assert "signals: none dated at this period" in lines
    values = values_frame(monthly(1, "2026-01", [90.0, 91.0] * 6 + [96.0]))
    lines = explain_kpi(
        1,
        None,
        "2027-01",
        kpis=KPIS,
        values=values,
        specs=SPECS,
        overrides=overrides_frame(),
        as_of=date(2027, 2, 10),
    )
    # Twelve values: mean 90.5, mR-bar 1; upper limit 93.16 < 96: rule 1 above, favourable.
    assert lines[-2] == "signal: rule 1, favourable: a = 96 is above the limit 93.16"


def test_stale_no_data_and_overrides_are_explained() -> None:
    values = values_frame(monthly(1, "2026-01", [88.0, 89.0, 90.0]))
    overrides = overrides_frame({"kpi": 1, "period": "2026-05", "target": 95.0})
    lines = explain_kpi(
        1,
        None,
        "2026-05",
        kpis=KPIS,
        values=values,
        specs=SPECS,
        overrides=overrides,
        as_of=date(2026, 6, 10),
    )
    assert lines[1] == "actual: no value for this period"
    assert lines[2] == "target t = 95: an override"
    # The last value is March's (ended 31 March): 71 days before 10 June, limit 45.
    assert lines[5] == (
        "status stale: no value for 71 days (limit 45); it replaces 'no data: the period has "
        "no value'"
    )
    # March's 90 against t = 88 + 9 * 3 / 60 = 88.45, s = 88.45 * 1.05 = 92.8725:
    # 66.666667 + 1.55 * 33.333333 / 4.4225 = 66.666667 + 11.682682 = 78.349349.
    assert lines[6] == (
        "score 78.3493: the score of the last value (2026-03), which still rolls up while the "
        "KPI is stale"
    )


def test_the_current_period_and_unknown_periods() -> None:
    lines = explain("2026-07")
    assert lines[1] == "actual: no value for this period"
    assert "status: none for the current period" in lines
    with pytest.raises(
        ValueError, match="no evaluation of period 2025-01: the series runs from 2026-01 to 2026-07"
    ):
        explain("2025-01")
