"""The time aligna runs on: the system's, or one a test or a demo sets and moves by hand.

Jobs never call `datetime.now()` themselves; they take the time from their caller, so the
escalation ladder can be walked over simulated days (`aligna jobs run escalate --at +8d`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from aligna.model.base import utcnow

_OFFSET = re.compile(r"^\+(\d+(?:\.\d+)?)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class ClockError(ValueError):
    """A time that cannot be read, with what was expected."""


class Clock(Protocol):
    """Tells the time (always timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current time."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return utcnow()


@dataclass
class ManualClock:
    """A clock that stands still until moved: for tests and for trying escalations in a demo."""

    at: datetime = field(default_factory=utcnow)

    def now(self) -> datetime:
        """The time it was set to."""
        return self.at

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (days=, hours=, minutes=) and return the new time."""
        self.at = self.at + timedelta(**delta)
        return self.at


def parse_at(text: str, *, timezone: str = "UTC", now: datetime | None = None) -> datetime:
    """A time given on the command line: ISO date or date-time (in the organisation's time zone
    when it has none), or an offset from now such as `+8d`, `+12h`, `+30m`."""
    raw = text.strip()
    offset = _OFFSET.match(raw)
    if offset:
        amount, unit = float(offset.group(1)), _UNITS[offset.group(2)]
        return (now or utcnow()) + timedelta(**{unit: amount})
    zone = ZoneInfo(timezone)
    try:
        if len(raw) == 10:
            moment = datetime.combine(date.fromisoformat(raw), time(0), tzinfo=zone)
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ClockError(
            f"cannot read the time {text!r}: expected an ISO date (2026-12-01), a date and time "
            "(2026-12-01T09:00), or an offset from now (+8d, +12h, +30m)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
