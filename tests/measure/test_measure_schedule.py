"""Refresh schedules: cron fire times in the organisation's time zone, and the --due rule.

Every expected time is worked out by hand: Paris is UTC+1 in winter (CET) and UTC+2 in summer
(CEST, from the last Sunday of March, 2026-03-29, to the last Sunday of October, 2026-10-25);
2026-11-27 is a Friday (1 January 2026 was a Thursday, and 27 November is 330 days later).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from measure_support import MONTHLY, apply_to, connection, kpi, settings_for, write_project
from sqlalchemy import select

from aligna.db import open_database, session_scope
from aligna.measure import is_due, refresh, select_jobs
from aligna.measure.schedule import CronError, check_cron, fired_since, next_fire
from aligna.model import Kpi, KpiRefresh
from aligna.periods import Frequency

PARIS = "Europe/Paris"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "after", "timezone", "fire"),
    [
        # 06:00 in Paris in November is 05:00 UTC.
        ("0 6 * * *", utc(2026, 11, 24, 5, 30), PARIS, utc(2026, 11, 25, 5, 0)),
        # ... and 04:00 UTC in July.
        ("0 6 * * *", utc(2026, 7, 1, 3, 0), PARIS, utc(2026, 7, 1, 4, 0)),
        # The night clocks go forward: 06:00 on Sunday 29 March is already summer time.
        ("0 6 * * *", utc(2026, 3, 28, 6, 0), PARIS, utc(2026, 3, 29, 4, 0)),
        # Strictly after: a fire time equal to `after` is not the next one.
        ("0 6 * * *", utc(2026, 11, 25, 5, 0), PARIS, utc(2026, 11, 26, 5, 0)),
        # crontab numbering: 1-5 is Monday to Friday, so after Friday comes Monday.
        ("0 6 * * 1-5", utc(2026, 11, 27, 6, 0), "UTC", utc(2026, 11, 30, 6, 0)),
        # 0 and 7 are both Sunday.
        ("0 6 * * 0", utc(2026, 11, 27, 6, 0), "UTC", utc(2026, 11, 29, 6, 0)),
        ("0 6 * * 7", utc(2026, 11, 27, 6, 0), "UTC", utc(2026, 11, 29, 6, 0)),
        # Both days restricted: the 1st or a Monday, whichever comes first (Tue 24 Nov ->
        # Mon 30 Nov; then Tue 1 Dec).
        ("0 6 1 * mon", utc(2026, 11, 24, 12, 0), "UTC", utc(2026, 11, 30, 6, 0)),
        ("0 6 1 * mon", utc(2026, 11, 30, 6, 0), "UTC", utc(2026, 12, 1, 6, 0)),
        # Every 15 minutes: 10:07 -> 10:15.
        ("*/15 * * * *", utc(2026, 11, 24, 10, 7), "UTC", utc(2026, 11, 24, 10, 15)),
    ],
)
def test_next_fire_times(cron: str, after: datetime, timezone: str, fire: datetime) -> None:
    assert next_fire(cron, after, timezone) == fire


def test_fired_since_counts_fire_times_after_since_up_to_now_inclusive() -> None:
    since = utc(2026, 11, 24, 5, 30)
    assert not fired_since("0 6 * * *", since, utc(2026, 11, 25, 4, 59), PARIS)
    assert fired_since("0 6 * * *", since, utc(2026, 11, 25, 5, 0), PARIS)
    # Read in UTC instead, it fired at 06:00 UTC the same day, half an hour after `since`.
    assert fired_since("0 6 * * *", since, utc(2026, 11, 24, 6, 0), "UTC")
    assert not fired_since("0 6 * * *", since, utc(2026, 11, 24, 6, 0), PARIS)


@pytest.mark.parametrize(
    ("cron", "why"),
    [
        ("0 6 * *", "it has 4 fields"),
        ("@daily", "it has 1 field,"),
        ("0 25 * * *", "its hour field '25' is wrong"),
        ("61 * * * *", "its minute field '61' is wrong"),
        ("0 6 * 13 *", "its month field '13' is wrong"),
        ("0 6 * * 8", "its day-of-week field has '8', which is not 0-7"),
        ("0 6 * * fri-mon", "its day-of-week range 'fri-mon' runs backwards"),
        ("0 6 31 2 *", "it never fires (there is no such day)"),
    ],
)
def test_bad_expressions_say_what_is_wrong_and_what_a_cron_looks_like(cron: str, why: str) -> None:
    with pytest.raises(CronError) as raised:
        check_cron(cron)
    message = str(raised.value)
    assert message.startswith(f"'{cron}' is not a cron expression: ")
    assert why in message
    assert message.endswith("e.g. '0 6 * * *' (every day at 06:00) or '30 7 * * mon-fri'")


def test_the_due_rule_with_a_schedule() -> None:
    since = utc(2026, 11, 24, 5, 30)
    before, at = utc(2026, 11, 25, 4, 59), utc(2026, 11, 25, 5, 0)
    day = Frequency.day

    def due(now: datetime, **attempt: Any) -> bool:
        last_attempt = attempt.get("last_attempt", since)
        ok = attempt.get("ok", True)
        return is_due(day, since, last_attempt, ok, now, schedule="0 6 * * *", timezone=PARIS)

    # 23 h 29 min after its last success: a daily KPI would be due by its 1 h interval; the
    # schedule says not before 06:00 Paris.
    assert not due(before)
    assert due(at)
    # The retry pace after a failure still holds: failed 5 minutes ago, not yet; 20, again.
    assert not due(at, last_attempt=at - timedelta(minutes=5), ok=False)
    assert due(at, last_attempt=at - timedelta(minutes=20), ok=False)
    # Never refreshed: due whatever the schedule.
    assert is_due(day, None, None, False, before, schedule="0 6 * * *", timezone=PARIS)


def test_due_kpis_follow_their_own_schedule_else_their_connections(tmp_path: Path) -> None:
    folder = write_project(
        tmp_path / "project",
        connections=[
            {**connection("warehouse", "duckdb:///warehouse.duckdb"), "refresh": "0 6 * * *"},
            connection("plain", "duckdb:///other.duckdb"),
        ],
        kpis=[
            kpi("a", MONTHLY),  # the connection's 06:00
            {**kpi("b", MONTHLY), "refresh": "0 18 * * *"},  # its own 18:00
            kpi("c", MONTHLY, connection="plain"),  # no schedule: 12 h for a monthly KPI
        ],
    )
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    apply_to(engine, folder)
    last = utc(2026, 11, 24, 5, 30)
    with session_scope(engine) as session:
        for kpi_id in session.scalars(select(Kpi.id)):
            session.add(KpiRefresh(kpi_id=kpi_id, started_at=last, finished_at=last, ok=True))

    def due_at(now: datetime, timezone: str = PARIS) -> list[str]:
        with session_scope(engine) as session:
            jobs, _ = select_jobs(session, due=True, now=now, timezone=timezone)
        return [job.kpi for job in jobs]

    # 06:00 UTC: the connection's 06:00 has come in UTC, not yet in Paris (05:00 UTC tomorrow).
    assert due_at(utc(2026, 11, 24, 6, 0)) == []
    assert due_at(utc(2026, 11, 24, 6, 0), "UTC") == ["a"]
    assert due_at(utc(2026, 11, 24, 16, 59)) == []
    assert due_at(utc(2026, 11, 24, 17, 0)) == ["b"]  # 18:00 Paris
    assert due_at(utc(2026, 11, 24, 17, 30)) == ["b", "c"]  # 12 h after 05:30
    assert due_at(utc(2026, 11, 25, 4, 59)) == ["b", "c"]
    assert due_at(utc(2026, 11, 25, 5, 0)) == ["a", "b", "c"]  # 06:00 Paris
    engine.dispose()


def test_refresh_reads_schedules_in_the_organisations_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_select_jobs(session: Any, **options: Any) -> tuple[list[Any], dict[str, Any]]:
        seen.update(options)
        return [], {}

    # The package exports the function `refresh` under the module's name: fetch the module.
    module = importlib.import_module("aligna.measure.refresh")
    monkeypatch.setattr(module, "select_jobs", fake_select_jobs)
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    refresh(engine, settings_for(tmp_path, timezone=PARIS), due=True)
    assert (seen["due"], seen["timezone"]) == (True, PARIS)
    engine.dispose()
