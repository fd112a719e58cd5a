"""Checks of a KPI's target: trajectory, thresholds, bands and per-period overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aligna.files.located import Where
from aligna.files.problems import Severity
from aligna.files.schema import KpiModel, ThresholdModel
from aligna.periods import EXAMPLES, Frequency, PeriodError, parse_period

if TYPE_CHECKING:
    from aligna.files.index import Index

TRAJECTORY_FIELDS = ("baseline", "value", "by", "red_flag", "stretch")


def offset_amount(offset: str, target: float) -> float:
    """The signed amount an offset like -5 or -10% moves away from a target."""
    if offset.endswith("%"):
        return float(offset[:-1]) / 100.0 * abs(target)
    return float(offset)


def check_kpi_target(index: Index, kpi: KpiModel, where: Where) -> None:
    """Report every inconsistency of one KPI's target."""
    target = kpi.target
    if target is None:
        index.report(
            where,
            ("id",),
            "no target, expected a target so that the KPI gets a status",
            Severity.warning,
        )
        return
    frequency = Frequency(kpi.frequency)
    if kpi.polarity == "within_range":
        _check_band(index, kpi, where)
    else:
        _check_trajectory(index, kpi, where, frequency)
    seen: set[str] = set()
    for i, override in enumerate(target.overrides):
        keys = ("target", "overrides", i, "period")
        if _period(index, where, keys, override.period, frequency) is None:
            continue
        if override.period in seen:
            index.report(
                where, keys, f"period {override.period} is overridden twice, expected once"
            )
        seen.add(override.period)
        _check_override(index, kpi, where, i, override)


def _period(index: Index, where: Where, keys: tuple[Any, ...], text: str, frequency: Frequency):  # type: ignore[no-untyped-def]
    try:
        return parse_period(text, frequency)
    except PeriodError as exc:
        message = str(exc)
        if "expected" not in message:  # a real-looking period that is not: 2026-13, 2026-W54
            message += f", expected a {frequency.value} period like {EXAMPLES[frequency]}"
        index.report(where, keys, message)
        return None


def _check_band(index: Index, kpi: KpiModel, where: Where) -> None:
    target = kpi.target
    assert target is not None
    for name in TRAJECTORY_FIELDS:
        if getattr(target, name) is not None:
            index.report(
                where,
                ("target", name),
                "is not used by a within_range KPI, expected band and red_band",
            )
    if target.band is None:
        index.report(
            where, ("target",), "a within_range KPI needs a band, expected band: {lo: ..., hi: ...}"
        )
    if target.red_band is None:
        index.report(
            where,
            ("target",),
            "a within_range KPI needs a red band, expected red_band: {lo: ..., hi: ...}",
        )
    if target.band and target.red_band:
        _band_order(
            index,
            where,
            ("target", "band"),
            target.red_band.lo,
            target.band.lo,
            target.band.hi,
            target.red_band.hi,
        )


def _band_order(
    index: Index, where: Where, keys: tuple[Any, ...], rlo: float, lo: float, hi: float, rhi: float
) -> None:
    if not (rlo <= lo <= hi <= rhi):
        index.report(
            where,
            keys,
            f"red lo {_n(rlo)}, lo {_n(lo)}, hi {_n(hi)}, red hi {_n(rhi)} are out of order, "
            "expected red lo <= lo <= hi <= red hi",
        )


def _check_trajectory(index: Index, kpi: KpiModel, where: Where, frequency: Frequency) -> None:
    target = kpi.target
    assert target is not None
    for name in ("band", "red_band"):
        if getattr(target, name) is not None:
            index.report(
                where,
                ("target", name),
                f"is only for within_range KPIs, expected a trajectory for a {kpi.polarity} KPI",
            )
    if target.value is None:
        index.report(
            where,
            ("target",),
            "no target value, expected value: the target at the end of the trajectory",
        )
        return
    start = end = None
    if target.baseline is not None:
        start = _period(
            index, where, ("target", "baseline", "period"), target.baseline.period, frequency
        )
        if target.by is None:
            index.report(
                where,
                ("target",),
                "a baseline needs an end, expected by: the period the trajectory reaches its value",
            )
    if target.by is not None:
        end = _period(index, where, ("target", "by"), target.by, frequency)
    if start and end and end <= start:
        index.report(
            where,
            ("target", "by"),
            f"{target.by} is not after the baseline "
            f"{target.baseline.period}, expected a later period",
        )  # type: ignore[union-attr]
    if target.shape == "compound" and target.baseline is not None:
        first, last = target.baseline.value, target.value
        if first == 0 or last == 0 or (first > 0) != (last > 0):
            index.report(
                where,
                ("target", "shape"),
                f"compound growth from {_n(first)} to {_n(last)} is impossible, expected non-zero "
                "values of the same sign, or shape: linear",
            )
    higher = kpi.polarity == "higher_is_better"
    values = [target.value] + ([target.baseline.value] if target.baseline else [])
    crosses_zero = any(v == 0 for v in values) or (min(values) < 0 < max(values))
    if target.red_flag is None and crosses_zero:
        index.report(
            where,
            ("target",),
            "the target reaches 0, where the default red flag (10% of |target|) is no margin, "
            "expected red_flag to be given",
        )
    _check_threshold(
        index, where, "red_flag", target.red_flag, target.value, red=True, higher=higher
    )
    _check_threshold(
        index, where, "stretch", target.stretch, target.value, red=False, higher=higher
    )


def _check_threshold(
    index: Index,
    where: Where,
    name: str,
    threshold: ThresholdModel | None,
    final: float,
    *,
    red: bool,
    higher: bool,
) -> None:
    if threshold is None:
        return
    if threshold.offset is not None:
        amount = offset_amount(threshold.offset, final if threshold.offset.endswith("%") else 1)
        # Red flags lie on the bad side of the target, stretches strictly on the good side.
        if red:
            bad = amount > 0 if higher else amount < 0
            side = "<= 0 (below the target)" if higher else ">= 0 (above the target)"
        else:
            bad = amount <= 0 if higher else amount >= 0
            side = "> 0 (above the target)" if higher else "< 0 (below the target)"
        expected = f"an offset {side}"
        if bad:
            index.report(
                where,
                ("target", name, "offset"),
                f"{threshold.offset} is on the wrong side, expected {expected}",
            )
        return
    value = threshold.value
    assert value is not None
    if red and (value > final if higher else value < final):
        index.report(
            where,
            ("target", name, "value"),
            f"{_n(value)} is past the target {_n(final)}, expected a red flag "
            f"{'<=' if higher else '>='} the target",
        )
    if not red and (value <= final if higher else value >= final):
        index.report(
            where,
            ("target", name, "value"),
            f"{_n(value)} does not beat the target {_n(final)}, expected a stretch "
            f"{'>' if higher else '<'} the target",
        )


def _check_override(index: Index, kpi: KpiModel, where: Where, i: int, override: Any) -> None:
    keys = ("target", "overrides", i)
    if kpi.polarity == "within_range":
        band = kpi.target.band if kpi.target else None
        red = kpi.target.red_band if kpi.target else None
        lo = override.lo if override.lo is not None else (band.lo if band else None)
        hi = override.hi if override.hi is not None else (band.hi if band else None)
        rlo = override.red_lo if override.red_lo is not None else (red.lo if red else None)
        rhi = override.red_hi if override.red_hi is not None else (red.hi if red else None)
        for name in ("target", "red_flag", "stretch"):
            if getattr(override, name) is not None:
                index.report(
                    where,
                    (*keys, name),
                    "is not used by a within_range KPI, expected lo, hi, red_lo, red_hi",
                )
        if None not in (lo, hi, rlo, rhi):
            _band_order(index, where, keys, rlo, lo, hi, rhi)
        return
    for name in ("lo", "hi", "red_lo", "red_hi"):
        if getattr(override, name) is not None:
            index.report(
                where,
                (*keys, name),
                "is only for within_range KPIs, expected target, red_flag, stretch",
            )
    t, r, s = override.target, override.red_flag, override.stretch
    if t is None:
        return
    higher = kpi.polarity == "higher_is_better"
    if r is not None and (r > t if higher else r < t):
        index.report(
            where,
            (*keys, "red_flag"),
            f"{_n(r)} is past the target {_n(t)}, expected "
            f"a red flag {'<=' if higher else '>='} the target",
        )
    if s is not None and (s <= t if higher else s >= t):
        index.report(
            where,
            (*keys, "stretch"),
            f"{_n(s)} does not beat the target {_n(t)}, "
            f"expected a stretch {'>' if higher else '<'} the target",
        )
    if t == 0 and r is None:
        index.report(
            where,
            (*keys, "target"),
            "a target of 0 needs its red flag, expected red_flag in this override",
        )


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
