"""Periods as integers: vectorised period text <-> ordinal per frequency, bounds, aggregation.

An ordinal numbers the periods of one frequency consecutively, so that "the next period" is
`+1` and a trajectory or a regression can use it as its x axis:

- day: days since 1970-01-01;
- week: ISO weeks since the week of 1970-01-01 (Monday-based; 1970-W01 is 0);
- month: `year * 12 + month - 1`;
- quarter: `year * 4 + quarter - 1`.

Every function here works on whole columns: period texts repeat a lot (20,000 KPIs share the
same 120 months), so texts are parsed once per distinct value and mapped back by an Enum cast.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from aligna.evaluate.frames import texts
from aligna.periods import EXAMPLES, Frequency

FREQUENCIES: tuple[str, ...] = ("day", "week", "month", "quarter")
"""KPI frequencies, finest first; a frequency's code is its index here."""

DAY, WEEK, MONTH, QUARTER = range(4)
_EPOCH_MONTH = 1970 * 12
_PERIOD_SHAPE = r"^\d{4}-(\d{2}|Q[1-4]|W\d{2}|\d{2}-\d{2})$"


def frequency_codes(frequencies: pl.Series | str, size: int | None = None) -> np.ndarray:
    """Frequency names as codes (0 day .. 3 quarter); a single name is broadcast to `size`."""
    if isinstance(frequencies, str):
        if frequencies not in FREQUENCIES:
            raise ValueError(f"'{frequencies}' is not a frequency, expected {_expected()}")
        return np.full(size or 0, FREQUENCIES.index(frequencies), dtype=np.int8)
    known = frequencies.cast(pl.String).cast(pl.Enum(FREQUENCIES), strict=False)
    bad = known.is_null()
    if bad.any():
        shown = frequencies.filter(bad).head(1).to_list()[0]
        raise ValueError(f"'{shown}' is not a frequency, expected {_expected()}")
    return known.to_physical().to_numpy().astype(np.int8)


def _expected() -> str:
    return ", ".join(FREQUENCIES)


# --- text -> ordinal -------------------------------------------------------------------------


def parse_periods(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each text's frequency code (-1 when it is not a KPI period) and ordinal (0 then)."""
    # Parse the distinct texts, then map every text to its distinct one by an Enum cast:
    # 2.4 million month texts hold only a few hundred distinct ones.
    # Both passes run as lazy queries: Polars then spreads them over its threads, which the
    # eager Series methods do not (half the time on 2.4 million texts).
    filled = texts.cast(pl.String).fill_null("").to_frame("p").lazy()
    distinct = filled.unique().collect().to_series()
    codes, ordinals = _parse_distinct(distinct)
    order = (
        filled.select(pl.col("p").cast(pl.Enum(distinct)).to_physical())
        .collect()
        .to_series()
        .to_numpy()
    )
    return codes[order], ordinals[order]


def _parse_distinct(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    # Few distinct texts: clarity over speed, but still no Python loop.
    p = pl.col("p")
    parts = (
        pl.DataFrame({"p": texts})
        .select(
            ok=p.str.contains(_PERIOD_SHAPE),
            year=p.str.slice(0, 4).cast(pl.Int64, strict=False),
            tag=p.str.slice(5, 1),
            two=p.str.slice(5, 2).cast(pl.Int64, strict=False),
            after_tag=p.str.slice(6, 2).cast(pl.Int64, strict=False),
            length=p.str.len_bytes(),
            day=p.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int64),
            is_date=p.str.to_date("%Y-%m-%d", strict=False).is_not_null(),
        )
        .fill_null(0)
    )
    ok = parts["ok"].to_numpy()
    year = parts["year"].to_numpy()
    tag = parts["tag"].to_numpy()
    two = parts["two"].to_numpy()
    after = parts["after_tag"].to_numpy()
    length = parts["length"].to_numpy()
    day = parts["day"].to_numpy()

    is_quarter = ok & (tag == "Q")
    is_week = ok & (tag == "W") & (length == 8)
    is_day = ok & (length == 10) & parts["is_date"].to_numpy()
    is_month = ok & (length == 7) & ~is_quarter & (two >= 1) & (two <= 12)
    # A week exists when its Thursday lies in the ISO year it is numbered in (W53 is rare).
    week_ordinal = _iso_week_ordinal(year, after)
    thursday_year = _days_to_year(week_ordinal * 7)
    is_week &= (after >= 1) & (thursday_year == year)

    codes = np.full(len(texts), -1, dtype=np.int8)
    ordinals = np.zeros(len(texts), dtype=np.int64)
    for code, mask, value in (
        (DAY, is_day, day),
        (WEEK, is_week, week_ordinal),
        (MONTH, is_month, year * 12 + two - 1),
        (QUARTER, is_quarter, year * 4 + after - 1),
    ):
        codes[mask] = code
        ordinals[mask] = value[mask]
    return codes, ordinals


def _iso_week_ordinal(year: np.ndarray, week: np.ndarray) -> np.ndarray:
    # 4 January is always in ISO week 1; its Monday starts week 1.
    jan4 = _month_start_days(year * 12) + 3
    monday = jan4 - _weekday(jan4) + 7 * (week - 1)
    return (monday + 3) // 7


def _weekday(days: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (weekday 3, Monday = 0).
    return (days + 3) % 7


def period_ordinals(
    periods: pl.Series, frequency: pl.Series | str, *, what: str = "period"
) -> np.ndarray:
    """Ordinals of period texts that must all be of the given frequency (name or column)."""
    codes, ordinals = parse_periods(periods)
    expected = frequency_codes(frequency, len(periods))
    bad = codes != expected
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        freq = FREQUENCIES[expected[i]]
        raise ValueError(
            f"{what} '{periods[i]}' is not a {freq} period, expected a period like "
            f"{EXAMPLES[Frequency(freq)]}"
        )
    return ordinals


# --- ordinal -> text, dates ------------------------------------------------------------------


def format_periods(ordinals: np.ndarray, codes: np.ndarray | int) -> pl.Series:
    """Period texts of ordinals (one frequency code, or one per ordinal), vectorised."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    codes = np.broadcast_to(np.asarray(codes, dtype=np.int8), ordinals.shape)
    if len(ordinals) == 0:
        return pl.Series("period", [], dtype=pl.String)
    # Texts repeat: format each frequency's dense range of ordinals once, then gather.
    index = np.zeros(len(ordinals), dtype=np.int64)
    tables: list[pl.Series] = []
    base = 0
    for code in np.unique(codes):
        mask = codes == code
        lo, hi = int(ordinals[mask].min()), int(ordinals[mask].max())
        tables.append(_format_range(np.arange(lo, hi + 1), int(code)))
        index[mask] = ordinals[mask] - lo + base
        base += hi - lo + 1
    return pl.concat(tables).gather(index).alias("period")


class PeriodNames:
    """Period texts of dense ranges of ordinals (one range per frequency), made once.

    Evaluations name millions of rows with a few hundred distinct periods: formatting each
    range once and gathering is far cheaper than formatting every row.
    """

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        # lo, hi: per frequency code, the ordinal range to name (lo > hi: none).
        self.lo = np.asarray(lo, dtype=np.int64)
        sizes = np.maximum(np.asarray(hi, dtype=np.int64) - self.lo + 1, 0)
        self.hi = self.lo + sizes - 1
        self.base = np.concatenate(([0], np.cumsum(sizes)))[:-1]
        tables = [
            _format_range(np.arange(self.lo[code], self.lo[code] + size), code)
            for code, size in enumerate(sizes)
            if size
        ]
        self.table = pl.concat(tables) if tables else pl.Series([], dtype=pl.String)
        self.texts = self.table.to_list()

    def of(self, ordinals: np.ndarray, codes: np.ndarray) -> pl.Series:
        """The texts of ordinals of the given frequency codes."""
        inside = (ordinals >= self.lo[codes]) & (ordinals <= self.hi[codes])
        if not inside.all():
            return format_periods(ordinals, codes)
        return texts(self.texts, ordinals - self.lo[codes] + self.base[codes]).alias("period")


def _format_range(ordinals: np.ndarray, code: int) -> pl.Series:
    if code == DAY:
        return pl.Series(ordinals.astype("datetime64[D]")).dt.to_string("%Y-%m-%d")
    if code == WEEK:
        thursday = ordinals * 7  # the Thursday of the week numbers both its ISO year and week
        year = _days_to_year(thursday)
        week = (thursday - _month_start_days(year * 12)) // 7 + 1
        return _join(year, "-W", week)
    if code == MONTH:
        return _join(ordinals // 12, "-", ordinals % 12 + 1)
    return _join(ordinals // 4, "-Q", ordinals % 4 + 1, width=1)


def _join(year: np.ndarray, tag: str, number: np.ndarray, width: int = 2) -> pl.Series:
    frame = pl.DataFrame({"y": year, "n": number})
    return frame.select(
        pl.concat_str(
            pl.col("y").cast(pl.String), pl.lit(tag), pl.col("n").cast(pl.String).str.zfill(width)
        )
    ).to_series()


def _month_start_days(month_ordinals: np.ndarray) -> np.ndarray:
    months = (np.asarray(month_ordinals) - _EPOCH_MONTH).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def _days_to_year(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def start_days(ordinals: np.ndarray, codes: np.ndarray | int) -> np.ndarray:
    """The first day (days since 1970-01-01) of each period."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    codes = np.broadcast_to(np.asarray(codes, dtype=np.int8), ordinals.shape)
    return np.select(
        [codes == DAY, codes == WEEK, codes == MONTH],
        [ordinals, ordinals * 7 - 3, _month_start_days(ordinals)],
        _month_start_days(ordinals * 3),
    )


def end_days(ordinals: np.ndarray, codes: np.ndarray | int) -> np.ndarray:
    """The last day (days since 1970-01-01) of each period."""
    return start_days(np.asarray(ordinals, dtype=np.int64) + 1, codes) - 1


def day_ordinals(days: np.ndarray, codes: np.ndarray | int) -> np.ndarray:
    """The ordinal of the period of each frequency that contains each day."""
    days = np.asarray(days, dtype=np.int64)
    codes = np.broadcast_to(np.asarray(codes, dtype=np.int8), days.shape)
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + _EPOCH_MONTH
    return np.select(
        [codes == DAY, codes == WEEK, codes == MONTH], [days, (days + 3) // 7, month], month // 3
    )


def date_ordinal(day: date, frequency: str) -> int:
    """The ordinal of the period of a frequency that contains a date."""
    days = np.array([(day - date(1970, 1, 1)).days])
    return int(day_ordinals(days, FREQUENCIES.index(frequency))[0])


def days_to_dates(days: np.ndarray) -> pl.Series:
    """Days since 1970-01-01 as a Date column."""
    return pl.Series(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def period_bounds(periods: pl.Series, frequency: pl.Series | str) -> pl.DataFrame:
    """Start and end dates of period texts of a frequency (a name or one per text)."""
    ordinals = period_ordinals(periods, frequency)
    codes = frequency_codes(frequency, len(periods))
    return pl.DataFrame(
        {
            "start": days_to_dates(start_days(ordinals, codes)),
            "end": days_to_dates(end_days(ordinals, codes)),
        }
    )


# --- aggregation -----------------------------------------------------------------------------


def aggregate_to_frequency(values: pl.DataFrame, kpis: pl.DataFrame) -> pl.DataFrame:
    """Values of finer periods aggregated to each KPI's frequency with its aggregation.

    `values`: kpi, unit, period, value, the period at the KPI's frequency or finer.
    `kpis`: kpi, frequency, aggregation (sum | mean | last). A day goes to the week, month or
    quarter that contains it; an ISO week to the month and quarter of its Thursday; a month to
    its quarter. `last` takes the value of the latest fine period. Returns kpi, unit, period,
    value at the KPI's frequency, sorted.
    """
    table = kpis.select("kpi", "frequency", "aggregation")
    joined = values.select("kpi", "unit", "period", "value").join(
        table, on="kpi", how="left", maintain_order="left"
    )
    if joined["frequency"].null_count():
        missing = joined.filter(pl.col("frequency").is_null())["kpi"][0]
        raise ValueError(f"values name kpi {missing}, which is not in kpis")
    bad = ~joined["aggregation"].is_in(["sum", "mean", "last"])
    if bad.any():
        shown = joined.filter(bad)["aggregation"][0]
        raise ValueError(f"aggregation '{shown}' is not one of sum, mean, last")
    target = frequency_codes(joined["frequency"])
    codes, ordinals = parse_periods(joined["period"])
    # A period can only go to a frequency at least as coarse as its own.
    bad = (codes < 0) | (codes > target)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"value period '{joined['period'][i]}' of kpi {joined['kpi'][i]} cannot be "
            f"aggregated to its {FREQUENCIES[target[i]]} frequency, expected a "
            f"{FREQUENCIES[target[i]]} period or a finer one"
        )
    # The day that places a fine period: a week's Thursday, else the period's first day.
    anchor = np.where(codes == WEEK, ordinals * 7, start_days(ordinals, codes))
    frame = joined.select(
        "kpi",
        "unit",
        "aggregation",
        "value",
        fine=pl.Series(ordinals),
        coarse=pl.Series(day_ordinals(anchor, target)),
        code=pl.Series(target),
    )
    grouped = (
        frame.sort("fine", maintain_order=True)
        .group_by("kpi", "unit", "coarse", maintain_order=True)
        .agg(
            pl.col("code").first(),
            pl.col("aggregation").first(),
            sum=pl.col("value").sum(),
            mean=pl.col("value").mean(),
            last=pl.col("value").last(),
        )
        .sort("kpi", "unit", "coarse", nulls_last=False)
    )
    period = format_periods(grouped["coarse"].to_numpy(), grouped["code"].to_numpy())
    return grouped.select(
        "kpi",
        "unit",
        period=period,
        value=pl.when(pl.col("aggregation") == "sum")
        .then("sum")
        .when(pl.col("aggregation") == "mean")
        .then("mean")
        .otherwise("last"),
    )
