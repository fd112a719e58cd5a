"""Wanted performance exceptions: kinds, readable details and keys stable over evaluations."""

from __future__ import annotations

from datetime import date

import polars as pl

from aligna.evaluate.exceptions import SCHEMA, wanted_exceptions

KPI_SCHEMA = {
    "kpi": pl.Int64,
    "unit": pl.Int64,
    "name": pl.Utf8,
    "period": pl.Utf8,
    "status": pl.Utf8,
    "actual": pl.Float64,
    "target": pl.Float64,
    "red_flag": pl.Float64,
    "adverse_signal": pl.Boolean,
    "stale_reason": pl.Utf8,
    "unit_name": pl.Utf8,
}
INITIATIVES = pl.DataFrame({"initiative": [3], "name": ["CRM rollout"]})


def _kpis(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=KPI_SCHEMA)


def _kpi(kpi: int, name: str, period: str, status: str, actual: float | None, **more) -> dict:
    """One row of kpi_latest; target 95 and red flag 92 unless told."""
    row = {"kpi": kpi, "name": name, "period": period, "status": status, "actual": actual}
    return {"target": 95.0, "red_flag": 92.0, "adverse_signal": False, **row, **more}


def _milestones(rows: list[tuple[int, int, str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "initiative": pl.Int64,
            "milestone": pl.Int64,
            "name": pl.Utf8,
            "due": pl.Date,
            "percent_complete": pl.Float64,
        },
        orient="row",
    )


def _october() -> pl.DataFrame:
    return wanted_exceptions(
        _kpis(
            [
                _kpi(12, "On-time delivery", "2026-10", "off_track", 88.1),
                _kpi(
                    12, "On-time delivery", "2026-10", "off_track", 80.0, unit=5, unit_name="North"
                ),
                _kpi(13, "Cost per order", "2026-10", "on_track", 4.2, adverse_signal=True),
                _kpi(
                    14,
                    "Churn",
                    "2026-09",
                    "off_track",
                    9.0,
                    target=5.0,
                    red_flag=6.0,
                    stale_reason="query failed: timeout",
                ),
                _kpi(15, "Headcount", "2026-10", "no_data", None, adverse_signal=None),
                _kpi(16, "Uptime", "2026-10", "at_risk", 93.5, stale_reason=""),  # "": not stale
                _kpi(17, "Returns", "2026-10", "stale", 3.0, stale_reason=None),
            ]
        ),
        _milestones(
            [
                (3, 17, "Pilot live", date(2026, 10, 20), 60.0),
                (3, 18, "Training done", date(2026, 11, 5), 0.0),  # due today: not overdue
                (3, 19, "Contract signed", date(2026, 9, 1), 100.0),  # done
                (9, 20, "Orphan", date(2026, 1, 1), 0.0),  # initiative not in scope
            ]
        ),
        INITIATIVES,
        date(2026, 11, 5),
    )


def _november() -> pl.DataFrame:
    # A month later the causes are the same; values, periods and days overdue have moved.
    return wanted_exceptions(
        _kpis(
            [
                _kpi(12, "On-time delivery", "2026-11", "off_track", 87.0),
                _kpi(
                    12, "On-time delivery", "2026-11", "off_track", 81.5, unit=5, unit_name="North"
                ),
                _kpi(13, "Cost per order", "2026-11", "on_track", 4.4, adverse_signal=True),
                _kpi(
                    14,
                    "Churn",
                    "2026-09",
                    "off_track",
                    9.0,
                    target=5.0,
                    red_flag=6.0,
                    stale_reason="no value for 62 days",
                ),
                _kpi(15, "Headcount", "2026-11", "on_track", 101.0),
                _kpi(16, "Uptime", "2026-11", "on_track", 96.0),
                _kpi(17, "Returns", "2026-10", "stale", 3.0, stale_reason="no value for 36 days"),
            ]
        ),
        _milestones(
            [
                (3, 17, "Pilot live", date(2026, 10, 20), 80.0),
                (3, 18, "Training done", date(2026, 11, 5), 100.0),
                (3, 19, "Contract signed", date(2026, 9, 1), 100.0),
            ]
        ),
        INITIATIVES,
        date(2026, 12, 5),
    )


def test_one_row_per_wanted_exception_with_a_readable_detail() -> None:
    october = _october()
    assert october.schema == pl.Schema(SCHEMA)
    details = dict(zip(october["key"], october["detail"], strict=True))
    assert details == {
        "off_track:kpi=12:unit=-": (
            "On-time delivery was 88.1 in 2026-10 against a target of 95 (red flag 92)"
        ),
        "off_track:kpi=12:unit=5": (
            "On-time delivery (North) was 80 in 2026-10 against a target of 95 (red flag 92)"
        ),
        # An adverse signal is an exception even while the KPI is on track.
        "adverse_signal:kpi=13:unit=-": (
            "Cost per order was 4.2 in 2026-10: an adverse signal, a real change rather than noise"
        ),
        # Stale and off track at once: two exceptions, for two different fixes.
        "off_track:kpi=14:unit=-": ("Churn was 9 in 2026-09 against a target of 5 (red flag 6)"),
        "stale:kpi=14:unit=-": (
            "Churn has stale data (latest period 2026-09): query failed: timeout"
        ),
        # The status word "stale" without a reason still wants the stale exception.
        "stale:kpi=17:unit=-": (
            "Returns has stale data (latest period 2026-10): no reason recorded"
        ),
        # 2026-10-20 .. 2026-11-05 = 16 days.
        "overdue_milestone:initiative=3:milestone=17": (
            "Milestone 'Pilot live' of 'CRM rollout' was due 2026-10-20 and is 60% complete: "
            "16 days overdue"
        ),
    }
    row = october.filter(pl.col("kind") == "overdue_milestone").row(0, named=True)
    assert (row["initiative"], row["milestone"], row["period"]) == (3, 17, "2026-10-20")
    row = october.filter(pl.col("key") == "off_track:kpi=12:unit=5").row(0, named=True)
    assert (row["kind"], row["kpi"], row["unit"], row["period"]) == ("off_track", 12, 5, "2026-10")


def test_keys_are_stable_across_evaluations_while_the_cause_stays() -> None:
    october, november = _october(), _november()
    assert october["key"].is_unique().all()
    assert set(october["key"]) == set(november["key"])
    # The same keys carry the new period and detail.
    row = november.filter(pl.col("key") == "off_track:kpi=12:unit=-").row(0, named=True)
    assert row["period"] == "2026-11"
    assert row["detail"].startswith("On-time delivery was 87 in 2026-11")
    row = november.filter(pl.col("kind") == "overdue_milestone").row(0, named=True)
    assert row["detail"].endswith("is 80% complete: 46 days overdue")


def test_an_exception_is_no_longer_wanted_once_its_cause_is_gone() -> None:
    later = wanted_exceptions(
        _kpis([_kpi(12, "On-time delivery", "2026-12", "at_risk", 93.0)]),
        _milestones([(3, 17, "Pilot live", date(2026, 10, 20), 100.0)]),
        INITIATIVES,
        date(2027, 1, 5),
    )
    assert later.height == 0
    assert later.schema == pl.Schema(SCHEMA)


def test_one_day_overdue_reads_in_the_singular() -> None:
    wanted = wanted_exceptions(
        _kpis([]),
        _milestones([(3, 17, "Pilot live", date(2026, 11, 4), 0.0)]),
        INITIATIVES,
        date(2026, 11, 5),
    )
    assert wanted["detail"].to_list() == [
        "Milestone 'Pilot live' of 'CRM rollout' was due 2026-11-04 and is 0% complete: "
        "1 day overdue"
    ]
