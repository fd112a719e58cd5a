"""A job's cron, read the same way by both runners, in the organisation's time zone.

The crons of aligna.jobs are standard crontab (minute hour day-of-month month day-of-week,
day of week 0 or 7 = Sunday), as Procrastinate's croniter reads them. APScheduler 3.x reads
day-of-week numbers differently (0 = Monday, see CronTrigger.from_crontab), so the day of week
is handed to APScheduler as names; and where crontab runs a job when either the day of the
month or the day of the week matches, APScheduler wants both, so a cron restricting both is
refused rather than read two ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbers 0-6
_ANY = {"*", "?"}


class CronError(ValueError):
    """A cron that the runners cannot read the same way, with why."""


def _weekday(token: str, cron: str) -> int:
    lowered = token.lower()
    if lowered in WEEKDAYS:
        return WEEKDAYS.index(lowered)
    if lowered.isdigit() and 0 <= int(lowered) <= 7:
        return int(lowered) % 7  # 7 is Sunday too
    raise CronError(f"cron {cron!r}: {token!r} is not a day of the week (0-7 or sun-sat)")


def weekdays(field: str, cron: str = "") -> list[int]:
    """The days of a crontab day-of-week field, as crontab numbers (0 = Sunday), sorted."""
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"cron {cron!r}: step {step_text!r} is not a positive number")
        if base in _ANY:
            first, last = 0, 6
        elif "-" in base:
            low, high = base.split("-", 1)
            first, last = _weekday(low, cron), _weekday(high, cron)
            if high == "7":
                last = 7  # 5-7 is Friday to Sunday
        else:
            first = _weekday(base, cron)
            last = 6 if step else first
        if last < first:
            raise CronError(f"cron {cron!r}: the range {base!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step or 1))
    return sorted(days)


def _fields(cron: str) -> list[str]:
    fields = cron.split()
    if len(fields) != 5:
        raise CronError(
            f"cron {cron!r}: expected 5 fields (minute hour day-of-month month day-of-week)"
        )
    return fields


def trigger(cron: str, timezone: str) -> CronTrigger:
    """APScheduler's trigger for a crontab line, in a time zone, read as crontab reads it."""
    minute, hour, day, month, day_of_week = _fields(cron)
    if day not in _ANY and day_of_week not in _ANY:
        raise CronError(
            f"cron {cron!r}: restrict the day of the month or the day of the week, not both "
            "(crontab runs when either matches, APScheduler when both do)"
        )
    names = "*" if day_of_week in _ANY else ",".join(WEEKDAYS[d] for d in weekdays(day_of_week))
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day="*" if day in _ANY else day,
            month=month,
            day_of_week=names,
            timezone=ZoneInfo(timezone),
        )
    except ValueError as exc:
        raise CronError(f"cron {cron!r}: {exc}") from None


def fire_times(cron: str, timezone: str, start: datetime) -> Iterator[datetime]:
    """The times a cron fires at from `start` on (included), in UTC, without end."""
    the_trigger = trigger(cron, timezone)
    previous: datetime | None = None
    now = start
    while True:
        moment = the_trigger.get_next_fire_time(previous, now)
        if moment is None:  # pragma: no cover - crontab lines never end
            return
        yield moment.astimezone(ZoneInfo("UTC"))
        previous = now = moment


def next_run(cron: str, timezone: str, after: datetime) -> datetime:
    """The first time at or after `after` the cron fires, in UTC."""
    return next(fire_times(cron, timezone, after))


def previous_run(cron: str, timezone: str, now: datetime, window: timedelta) -> datetime | None:
    """The last time the cron fired within `window` before now (now included), if it did."""
    latest = None
    for moment in fire_times(cron, timezone, now - window):
        if moment > now:
            break
        latest = moment
    return latest


def describe(cron: str) -> str:
    """The common crons in words ('every 5 minutes', 'daily at 07:00'); '' for the others."""
    try:
        minute, hour, day, month, day_of_week = _fields(cron)
    except CronError:
        return ""
    if month != "*":
        return ""
    if (minute, hour, day, day_of_week) == ("*", "*", "*", "*"):
        return "every minute"
    if minute.startswith("*/") and (hour, day, day_of_week) == ("*", "*", "*"):
        return f"every {minute[2:]} minutes"
    if minute.isdigit() and (hour, day, day_of_week) == ("*", "*", "*"):
        return f"hourly at :{int(minute):02d}"
    if not (minute.isdigit() and hour.isdigit()):
        return ""
    at = f"{int(hour):02d}:{int(minute):02d}"
    if day == "*" and day_of_week == "*":
        return f"daily at {at}"
    if day == "*":
        try:
            days = weekdays(day_of_week, cron)
        except CronError:
            return ""
        if days == [1, 2, 3, 4, 5]:
            return f"weekdays at {at}"
        return f"{', '.join(WEEKDAYS[d].capitalize() for d in days)} at {at}"
    if day.isdigit() and day_of_week == "*":
        return f"monthly on day {int(day)} at {at}"
    return ""
