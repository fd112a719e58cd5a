"""Scales, nice ticks and number formatting shared by the charts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# Past these ratios of the raw step to its power of ten, the next 1-2-5 step is nearer (the
# geometric midpoints between 1, 2, 5 and 10), so ticks land close to the count asked for.
_STEP_BREAKS = ((math.sqrt(50), 10), (math.sqrt(10), 5), (math.sqrt(2), 2))
# Guards floor/ceil against float noise such as 0.3 / 0.1 == 2.9999999999999996.
_EPSILON = 1e-9


@dataclass(frozen=True)
class LinearScale:
    """Maps a value from `domain` to `range` linearly (either may be descending)."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        """The position of `value`; the middle of the range when the domain is empty."""
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)

    def clamp(self, value: float) -> float:
        """The position of `value` held inside the range."""
        low, high = sorted((self.r0, self.r1))
        return min(high, max(low, self(value)))


def finite(value: float | None) -> float | None:
    """The value as a float, or None when it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def finite_values(values: Iterable[float | None]) -> list[float]:
    """The finite values among `values`, in order."""
    return [v for v in (finite(x) for x in values) if v is not None]


def nice_step(raw: float) -> float:
    """The 1-2-5 step (times a power of ten) nearest to `raw`."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    ratio = raw / power
    factor = next((f for limit, f in _STEP_BREAKS if ratio >= limit), 1)
    return float(f"{factor * power:.12g}")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Evenly spaced 1-2-5 ticks covering [low, high] with about `count` intervals."""
    if low > high:
        low, high = high, low
    if low == high:
        # A single value: open a window around it so the scale has a span.
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step((high - low) / max(1, count))
    first = math.floor(low / step + _EPSILON)
    last = math.ceil(high / step - _EPSILON)
    decimals = step_decimals(step)
    return [round(i * step, decimals + 2) + 0.0 for i in range(first, last + 1)]


def step_decimals(step: float) -> int:
    """How many decimals tick labels need for a 1-2-5 step."""
    if step <= 0:
        return 0
    return max(0, -math.floor(math.log10(step) + _EPSILON))


def format_number(value: float, decimals: int = 0) -> str:
    """`value` with thousands separators and a fixed number of decimals ("-0" reads "0")."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def format_value(value: float | None, unit: str = "") -> str:
    """A value for text: about three significant digits, separators, and its unit."""
    number = finite(value)
    if number is None:
        return "no data"
    magnitude = math.floor(math.log10(abs(number))) if number else 0
    decimals = min(6, max(0, 2 - magnitude))
    text = format_number(number, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def num(value: float) -> str:
    """A coordinate for SVG: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
