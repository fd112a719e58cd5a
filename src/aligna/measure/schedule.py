"""Refresh schedules: standard 5-field cron expressions in the organisation's time zone.

APScheduler 3 does the calendar arithmetic (time zones, month lengths, daylight saving). Two
places where it differs from the crontab(5) everyone knows are put right here, so a schedule
means what its writer read in `man 5 crontab`:
- day-of-week numbers: cron counts 0 (or 7) as Sunday, APScheduler 3 counts 0 as Monday; the
  field is expanded and handed over as day names, so `1-5` stays Monday to Friday.
- when both day-of-month and day-of-week are restricted (neither starts with `*`), cron fires
  when either matches (`0 6 1 * mon`: the 1st and every Monday); APScheduler requires both,
  so such a schedule is two triggers and fires at the earlier of them.
Around daylight saving changes a time that does not exist that day (02:30 when clocks jump
from 02:00 to 03:00) fires an hour later in wall-clock terms, and a time that happens twice
fires twice: for a refresh, one extra run is harmless and none is never lost.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

EXAMPLE = (
    "5 fields 'minute hour day-of-month month day-of-week', e.g. '0 6 * * *' (every day at "
    "06:00) or '30 7 * * mon-fri'"
)
FIELDS = ("minute", "hour", "day", "month", "day_of_week")
LABELS = {
    "minute": "minute",
    "hour": "hour",
    "day": "day-of-month",
    "month": "month",
    "day_of_week": "day-of-week",
}
# crontab(5) numbering: 0 and 7 are Sunday.
DAY_NUMBERS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
APSCHEDULER_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # by crontab number
DAY_ITEM = re.compile(r"^(\*|(\w+)(?:-(\w+))?)(?:/(\d+))?$")


class CronError(ValueError):
    """A refresh schedule that is not a valid 5-field cron expression; the message says why."""


def _day_number(word: str) -> int:
    number = DAY_NUMBERS.get(word.lower()) if not word.isdigit() else int(word)
    if number is None or not 0 <= number <= 7:
        raise CronError(
            f"its day-of-week field has '{word}', which is not 0-7 (0 and 7 are Sunday) nor one "
            "of sun, mon, tue, wed, thu, fri, sat"
        )
    return number % 7


def _weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler 3 reads it: day names, or `*`."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        match = DAY_ITEM.match(item)
        if match is None:
            raise CronError(f"its day-of-week field has '{item}', which is not a day or a range")
        star, first, last, step = match.groups()
        if star == "*":
            low, high = 0, 6
        else:
            low = _day_number(first)
            # Sunday closes a range as 7 (`5-7`, `fri-sun`); a lone 7 is Sunday too.
            high = _day_number(last) if last else (6 if step else low)
            if last and high == 0 and (last == "7" or low > 0):
                high = 7
            if high < low:
                raise CronError(f"its day-of-week range '{item}' runs backwards")
        stride = int(step) if step else 1
        if stride == 0:
            raise CronError(f"its day-of-week step in '{item}' is 0")
        days.update(day % 7 for day in range(low, high + 1, stride))
    return ",".join(APSCHEDULER_DAYS[day] for day in sorted(days))


@functools.lru_cache(maxsize=1024)
def parse_cron(expression: str, timezone: str = "UTC") -> tuple[CronTrigger, ...]:
    """The triggers of a cron expression (two when cron's either-day rule applies)."""
    try:
        return _triggers(expression, timezone)
    except CronError as exc:
        raise CronError(
            f"'{expression}' is not a cron expression: {exc}, expected {EXAMPLE}"
        ) from None


def _triggers(expression: str, timezone: str) -> tuple[CronTrigger, ...]:
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(f"it has {len(fields)} field{'s' if len(fields) != 1 else ''}")
    values = dict(zip(FIELDS, fields, strict=True))
    for name in FIELDS[:4]:  # one at a time, so the message can say which field is wrong
        try:
            CronTrigger(**{name: values[name]}, timezone="UTC")
        except ValueError as exc:
            raise CronError(f"its {LABELS[name]} field '{values[name]}' is wrong ({exc})") from None
    weekdays = _weekdays(values["day_of_week"])
    common = {"minute": values["minute"], "hour": values["hour"], "month": values["month"]}
    if values["day"].startswith("*") or values["day_of_week"].startswith("*"):
        shapes = [{"day": values["day"], "day_of_week": weekdays}]
    else:
        shapes = [{"day": values["day"]}, {"day_of_week": weekdays}]
    triggers = tuple(CronTrigger(**common, **shape, timezone=timezone) for shape in shapes)
    if _next(triggers, datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise CronError("it never fires (there is no such day)")
    return triggers


def check_cron(expression: str) -> str:
    """A valid cron expression with its spacing tidied; raises CronError saying what is wrong."""
    tidy = " ".join(expression.split())
    parse_cron(tidy)
    return tidy


def _next(triggers: tuple[CronTrigger, ...], start: datetime) -> datetime | None:
    found = [t.get_next_fire_time(None, start) for t in triggers]
    times = [f for f in found if f is not None]
    return min(times).astimezone(UTC) if times else None


def next_fire(cron: str, after: datetime, timezone: str = "UTC") -> datetime | None:
    """The first time (UTC) a schedule fires strictly after a moment."""
    # APScheduler's search includes its starting moment: start just past `after`.
    return _next(parse_cron(cron, timezone), after + timedelta(microseconds=1))


def fired_since(cron: str, since: datetime, now: datetime, timezone: str = "UTC") -> bool:
    """Whether a schedule fired after `since` and at or before `now`."""
    fire = next_fire(cron, since, timezone)
    return fire is not None and fire <= now
