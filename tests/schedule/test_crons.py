"""Crons read the same way by both runners: APScheduler (embedded) and croniter (Procrastinate)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import croniter
import pytest

from aligna.jobs import JOBS
from aligna.schedule import crons

SAMPLES = [
    "* * * * *",
    "*/5 * * * *",
    "0 7 * * *",
    "30 2 * * *",  # 02:30 does not exist on the spring-forward night in Paris
    "0 7 * * 1",  # Monday in crontab (APScheduler 3 alone would read Tuesday)
    "0 7 * * 0",
    "0 7 * * 7",
    "15 8 * * 1-5",
    "0 9 * * 5-7",
    "0 18 * * */2",
    "0 6 1 * *",
    "0 12 * * sun,wed",
]


def _croniter_times(cron: str, zone: str, start: datetime, count: int) -> list[datetime]:
    """What Procrastinate's worker computes (croniter seeded in the zone, as aligna does)."""
    iterator = croniter.croniter(cron, start.astimezone(ZoneInfo(zone)) - timedelta(seconds=1))
    return [datetime.fromtimestamp(iterator.get_next(float), UTC) for _ in range(count)]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
@pytest.mark.parametrize("cron", sorted({*SAMPLES, *(job.cron for job in JOBS.values())}))
def test_both_runners_fire_at_the_same_times(cron: str, zone: str) -> None:
    # Around the spring and autumn clock changes of 2027 in Europe and America.
    for start in (datetime(2027, 3, 13, tzinfo=UTC), datetime(2027, 10, 30, tzinfo=UTC)):
        count = 40 if cron.startswith("*") else 20
        ours = list(itertools.islice(crons.fire_times(cron, zone, start), count))
        theirs = _croniter_times(cron, zone, start, count)
        if cron.startswith("30 2 "):
            # 02:30 does not exist the night clocks go forward: both run once that night, but
            # APScheduler an hour after 02:30 (03:30) and croniter at 03:00. Documented.
            assert len(ours) == len(theirs)
            assert all(
                abs(a - b) <= timedelta(minutes=30) for a, b in zip(ours, theirs, strict=True)
            )
            continue
        assert ours == theirs, (cron, zone, start)


def test_weekdays_are_crontab_numbers() -> None:
    assert crons.weekdays("1-5") == [1, 2, 3, 4, 5]
    assert crons.weekdays("0") == crons.weekdays("7") == crons.weekdays("SUN") == [0]
    assert crons.weekdays("5-7") == [0, 5, 6]
    assert crons.weekdays("*/2") == [0, 2, 4, 6]
    assert crons.weekdays("mon-fri") == [1, 2, 3, 4, 5]
    with pytest.raises(crons.CronError, match="not a day of the week"):
        crons.weekdays("8")


def test_next_run_in_the_organisation_time_zone() -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    # 07:00 in Paris is 06:00 UTC in winter, 05:00 UTC in summer.
    assert crons.next_run("0 7 * * *", "Europe/Paris", now) == datetime(2026, 11, 26, 6, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert crons.next_run("0 7 * * *", "Europe/Paris", summer) == datetime(
        2026, 7, 2, 5, tzinfo=UTC
    )
    assert crons.previous_run("*/5 * * * *", "UTC", now, timedelta(minutes=10)) == now
    assert crons.previous_run("0 7 * * *", "UTC", now, timedelta(minutes=10)) is None


def test_a_cron_restricting_both_days_is_refused() -> None:
    with pytest.raises(crons.CronError, match="not both"):
        crons.trigger("0 7 1 * 1", "UTC")
    with pytest.raises(crons.CronError, match="5 fields"):
        crons.trigger("0 7 * *", "UTC")


def test_every_job_cron_is_readable() -> None:
    for job in JOBS.values():
        crons.trigger(job.cron, "Europe/Paris")


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("* * * * *", "every minute"),
        ("*/5 * * * *", "every 5 minutes"),
        ("7 * * * *", "hourly at :07"),
        ("0 7 * * *", "daily at 07:00"),
        ("30 8 * * 1-5", "weekdays at 08:30"),
        ("0 9 * * 1", "Mon at 09:00"),
        ("0 6 1 * *", "monthly on day 1 at 06:00"),
        ("0 6 1 1 *", ""),
    ],
)
def test_describe(cron: str, words: str) -> None:
    assert crons.describe(cron) == words
