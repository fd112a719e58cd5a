"""The arithmetic of one run of series: every step kept as an attribute for the details."""

from __future__ import annotations

import numpy as np
import polars as pl

from aligna.evaluate.forecast import NO_REACH, forecast
from aligna.evaluate.frames import floats, nullable_ints, nullable_periods, words
from aligna.evaluate.layout import WITHIN, Grid, KpiTable, last_in_series, series_counts
from aligna.evaluate.ordinals import PeriodNames, end_days, format_periods
from aligna.evaluate.placement import PlacedTargets
from aligna.evaluate.signals import (
    Limits,
    baselines,
    by_side,
    detect,
    events,
    limits_at,
    signal_lists,
    towards_middle,
)
from aligna.evaluate.status import NO_STATUS, SEGMENTS, STALE, STATUSES, judge
from aligna.evaluate.trend import (
    NO_TREND,
    TREND_VALUES,
    TRENDS,
    rolling_fit,
    rolling_mean_abs,
    trend_words,
)


class PartEvaluation:
    """Status, score, trend, limits, signals, staleness and forecast of a run of series."""

    def __init__(
        self,
        table: KpiTable,
        grid: Grid,
        placed: PlacedTargets,
        names: PeriodNames,
        *,
        details: bool,
    ) -> None:
        self.table, self.grid, self.placed, self.details = table, grid, placed, details
        self.names = names
        kpi = grid.kpi[grid.series]
        self.kpi = kpi
        self.polarity = table.polarity[kpi]
        self.frequency = table.frequency[kpi]
        self.partial = grid.ordinal == table.current[kpi]
        t = self.targets = placed.rows
        # Within range, t means the band's middle.
        self.middle = (t["lo"] + t["hi"]) / 2
        self.target = np.where(self.polarity == WITHIN, self.middle, t["target"])
        a = grid.value
        self.judged = judge(
            self.polarity,
            a,
            t["target"],
            t["red_flag"],
            t["stretch"],
            t["lo"],
            t["hi"],
            t["red_lo"],
            t["red_hi"],
            details=details,
        )
        # The current period shows its value so far, without a status or a score.
        self.status = self.judged.status.copy()
        self.status[self.partial] = NO_STATUS
        self.score = self.judged.score.copy()
        self.score[self.partial] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            self.variance = a - self.target
            self.percent = 100 * a / self.target
        self.percent[self.target == 0] = np.nan
        self._values()
        self._stale()

    def _values(self) -> None:
        # Closed values only: a partial period's value so far would read as a sudden drop.
        grid = self.grid
        valued = grid.has & ~self.partial
        vi = self.vi = np.flatnonzero(valued)
        series = grid.series[vi]
        count = np.bincount(series, minlength=len(grid.kpi))
        start = np.concatenate(([0], np.cumsum(count)))[:-1]
        self.v_rank = np.arange(len(vi)) - start[series]
        self.v_x = grid.ordinal[vi]
        self.v_y = grid.value[vi]
        self.v_last = np.where(count > 0, start + count - 1, -1)
        self.fit = rolling_fit(self.v_x, self.v_y, self.v_rank, TREND_VALUES)
        target = self.target[vi]
        # The mean absolute actual is only needed where t is 0 or missing: rare, so on demand.
        mean_abs = np.full(len(vi), np.nan)
        need = np.flatnonzero(np.isnan(target) | (target == 0))
        mean_abs[need] = rolling_mean_abs(self.v_y, self.v_rank, TREND_VALUES, need)
        self.trend = trend_words(self.fit, self.polarity[vi], target, mean_abs)
        self.n_values = series_counts(grid, valued)
        base = baselines(series, self.v_rank, self.v_y, self.table.xmr_window[grid.kpi])
        self.limits = limits_at(base, grid.series, self.n_values)
        at_values = Limits(*(getattr(self.limits, f)[vi] for f in Limits.__dataclass_fields__))
        self.detections = detect(self.v_y, self.v_rank, at_values)
        self.v_centre = at_values.centre

    def _stale(self) -> None:
        # Stale applies to the latest closed period: the row before each series' current one.
        grid, table = self.grid, self.table
        kpi = grid.kpi
        latest = grid.offsets[1:] - 2
        last_value = last_in_series(grid, grid.has)
        age = table.as_of_day - end_days(grid.ordinal[last_value], table.frequency[kpi])
        limit = table.staleness_days[kpi]
        too_old = age > limit
        failed = table.refresh_failed[kpi]
        closed = np.diff(grid.offsets) >= 2
        stale = closed & (failed | too_old)
        self.status[latest[stale]] = STALE
        self.stale_rows = latest[stale]
        self.latest_rows, self.latest_age = latest[closed], age[closed]
        self.latest_limit = limit[closed]
        # The score of the last value still rolls up: a stale period without a value of its
        # own carries the score of the series' latest closed value.
        carried = np.full(len(grid.ordinal), -1)
        source = np.where(self.v_last >= 0, self.vi[np.maximum(self.v_last, 0)], -1)
        empty = stale & ~grid.has[np.maximum(latest, 0)] & (source >= 0)
        carried[latest[empty]] = source[empty]
        self.score[latest[empty]] = self.score[source[empty]]
        self.score_source = carried
        if not stale.any():
            self.stale_reasons = pl.Series([], dtype=pl.String)
            return
        message = table.refresh_error.replace("", None).fill_null("refresh failed")
        self.stale_reasons = (
            pl.DataFrame(
                {
                    "failed": failed[stale],
                    "old": too_old[stale],
                    "error": message.gather(kpi[stale]),
                    "age": age[stale],
                    "limit": limit[stale],
                }
            )
            .select(
                pl.concat_str(
                    pl.when("failed").then("error"),
                    pl.when("old").then(
                        pl.format("no value for {} days (limit {})", "age", "limit")
                    ),
                    separator="; ",
                    ignore_nulls=True,
                )
            )
            .to_series()
        )

    def _signals(self) -> pl.Series:
        found = events(self.detections)
        at = self.vi[found.value]
        polarity = self.polarity[at]
        fav = by_side(found.side, polarity)
        # Within-range KPIs are few: the distances to the band run on their signals only.
        within = np.flatnonzero(polarity == WITHIN)
        value = found.value[within]
        fav[within] = towards_middle(self.v_y[value], self.v_centre[value], self.middle[at[within]])
        return signal_lists(len(self.grid.ordinal), self.vi, found, fav)

    def evaluations(self) -> pl.DataFrame:
        """The evaluations frame of this run of series."""
        grid, t = self.grid, self.targets
        size = len(grid.ordinal)
        trend = np.full(size, NO_TREND, dtype=np.int8)
        trend[self.vi] = self.trend.word
        reason = pl.repeat("", size, eager=True, dtype=pl.String)
        if len(self.stale_rows):
            reason = reason.scatter(self.stale_rows, self.stale_reasons)
        lim = self.limits
        columns: dict[str, pl.Series] = {
            "kpi": pl.Series(self.table.ids[self.kpi]),
            "unit": nullable_ints(grid.unit[grid.series], grid.unit_is_null[grid.series]),
            "period": self.names.of(grid.ordinal, self.frequency),
            "partial": pl.Series(self.partial),
            "actual": floats(grid.value),
            "target": floats(self.target),
            **{name: floats(t[name]) for name in ("red_flag", "stretch")},
            **{name: floats(t[name]) for name in ("lo", "hi", "red_lo", "red_hi")},
            "variance": floats(self.variance),
            "percent_of_target": floats(self.percent),
            "status": words(STATUSES, self.status),
            "score": floats(self.score),
            "trend": words(TRENDS, trend),
            "centre": floats(lim.centre),
            "lower_limit": floats(lim.lower),
            "upper_limit": floats(lim.upper),
            "upper_range_limit": floats(lim.upper_range),
            "signals": self._signals(),
            "stale_reason": reason,
        }
        if self.details:
            columns |= self._details()
        return pl.DataFrame([series.alias(name) for name, series in columns.items()])

    def _details(self) -> dict[str, pl.Series]:
        size = len(self.grid.ordinal)
        segment = self.judged.segment
        assert segment is not None

        def per_value(values: np.ndarray) -> pl.Series:
            """A column from numbers known at the closed values only."""
            row = np.full(size, np.nan)
            row[self.vi] = values
            return floats(row)

        def per_latest(values: np.ndarray) -> pl.Series:
            """A column from numbers known at each latest closed period only."""
            row = np.full(size, np.nan)
            row[self.latest_rows] = values
            return floats(row).cast(pl.Int64)

        fit, trend = self.fit, self.trend
        raw = self.judged.raw_score.copy()
        raw[self.partial] = np.nan
        judged = self.judged.status.copy()
        judged[self.partial] = NO_STATUS
        return {
            "ordinal": pl.Series(self.grid.ordinal),
            "n_values": pl.Series(self.n_values),
            "status_judged": words(STATUSES, judged),  # before stale replaced it
            "score_carried_from": nullable_periods(
                self.grid.ordinal[np.maximum(self.score_source, 0)],
                self.frequency,
                self.score_source < 0,
            ),
            "score_segment": words(SEGMENTS, segment.segment),
            "score_from_value": floats(segment.from_value),
            "score_from_score": floats(segment.from_score),
            "score_to_value": floats(segment.to_value),
            "score_to_score": floats(segment.to_score),
            "score_raw": floats(raw),
            "trend_n": per_value(fit.n).cast(pl.Int64),
            "trend_x_first": per_value(fit.x_first).cast(pl.Int64),
            "trend_slope": per_value(fit.slope),
            "trend_change": per_value(trend.change),
            "trend_threshold": per_value(trend.threshold),
            "trend_by_target": per_value(trend.by_target).cast(pl.Boolean),
            "trend_fit_first": per_value(trend.fit_first),
            "trend_fit_last": per_value(trend.fit_last),
            "xmr_values": pl.Series(self.limits.m),
            "mr_bar": floats(self.limits.mr_bar),
            "lower_half": floats(self.limits.lower_half),
            "upper_half": floats(self.limits.upper_half),
            "stale_age_days": per_latest(self.latest_age),
            "staleness_limit": per_latest(self.latest_limit),
        }

    def forecasts(self) -> pl.DataFrame:
        """One row per series with at least 3 closed values and a final target."""
        grid, table, placed = self.grid, self.table, self.placed
        kpi = grid.kpi
        final = placed.final
        f = forecast(
            self.v_x,
            self.v_y,
            self.v_rank,
            self.v_last,
            table.polarity[kpi],
            table.frequency[kpi],
            placed.end[kpi],
            final["target"][kpi],
            final["lo"][kpi],
            final["hi"][kpi],
        )
        series = f.index
        frequency = table.frequency[kpi[series]]
        columns: dict[str, pl.Series] = {
            "kpi": pl.Series(table.ids[kpi[series]], dtype=pl.Int64),
            "unit": nullable_ints(grid.unit[series], grid.unit_is_null[series]),
            "end_period": format_periods(f.end, frequency),
            "final_target": pl.Series(f.final, dtype=pl.Float64),
            "projected": pl.Series(f.projected, dtype=pl.Float64),
            "slope": pl.Series(f.fit.slope, dtype=pl.Float64),
            "meets": pl.Series(f.meets, dtype=pl.Boolean),
            "reach_period": nullable_periods(f.reach, frequency, f.reach == NO_REACH),
        }
        if self.details:
            columns |= {
                "n": pl.Series(f.fit.n, dtype=pl.Int64),
                "first_period": format_periods(f.fit.x_first, frequency),
                "last_period": format_periods(f.fit.x_last, frequency),
                "mean_x": pl.Series(f.fit.mean_x, dtype=pl.Float64),
                "mean_y": pl.Series(f.fit.mean_y, dtype=pl.Float64),
                "line_at_last": pl.Series(f.fit.at(f.fit.x_last), dtype=pl.Float64),
                "final_lo": floats(f.lo),
                "final_hi": floats(f.hi),
            }
        return pl.DataFrame([series.alias(name) for name, series in columns.items()])
