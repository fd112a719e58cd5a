"""The plain data the KPI chart draws: one point per period, its signals, the forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from aligna.web.svg.scale import finite


@dataclass(frozen=True)
class Signal:
    """An XmR signal dated at a period: rule 1, 2 or 3, side "above" or "below", and whether
    it is favourable (None when the direction is unknown)."""

    rule: int
    side: str
    favourable: bool | None = None

    @classmethod
    def of(cls, value: Signal | Mapping[str, Any]) -> Signal:
        """A signal from itself or from a `{rule, side, favourable}` mapping (the JSON form)."""
        if isinstance(value, Signal):
            return value
        return cls(
            rule=int(value["rule"]),
            side=str(value.get("side") or ""),
            favourable=value.get("favourable"),
        )


@dataclass(frozen=True)
class KpiPoint:
    """One period of a KPI as the chart needs it (numbers may be None: not drawn there)."""

    period: str
    actual: float | None = None
    target: float | None = None
    red_flag: float | None = None
    stretch: float | None = None
    lo: float | None = None
    hi: float | None = None
    red_lo: float | None = None
    red_hi: float | None = None
    centre: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    signals: Sequence[Signal] = field(default_factory=tuple)
    partial: bool = False
    status: str | None = None

    @classmethod
    def of(cls, value: KpiPoint | Mapping[str, Any]) -> KpiPoint:
        """A point from itself or from a mapping with the same keys (unknown keys ignored);
        non-finite numbers become None."""
        if isinstance(value, KpiPoint):
            source: Mapping[str, Any] = {f.name: getattr(value, f.name) for f in fields(cls)}
        else:
            source = value
        numbers = {
            f.name: finite(source.get(f.name))
            for f in fields(cls)
            if f.name not in ("period", "signals", "partial", "status")
        }
        return cls(
            period=str(source["period"]),
            signals=tuple(Signal.of(s) for s in source.get("signals") or ()),
            partial=bool(source.get("partial", False)),
            status=source.get("status"),
            **numbers,
        )


@dataclass(frozen=True)
class Forecast:
    """Where the least-squares line lands at the end period, against the final target."""

    end_period: str
    projected: float
    final_target: float | None = None
    meets: bool | None = None
    reach_period: str | None = None

    @classmethod
    def of(cls, value: Forecast | Mapping[str, Any]) -> Forecast:
        """A forecast from itself or from the JSON record's mapping."""
        if isinstance(value, Forecast):
            return value
        return cls(
            end_period=str(value["end_period"]),
            projected=float(value["projected"]),
            final_target=finite(value.get("final_target")),
            meets=value.get("meets"),
            reach_period=value.get("reach_period"),
        )
