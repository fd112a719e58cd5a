"""Numpy arrays into Polars columns: nulls for NaN and sentinels, words for codes."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from aligna.evaluate.ordinals import format_periods


def floats(values: np.ndarray) -> pl.Series:
    """A Float64 column, NaN as null."""
    return pl.Series(np.asarray(values, dtype=np.float64), nan_to_null=True)


def nullable_ints(values: np.ndarray, null: np.ndarray) -> pl.Series:
    """An Int64 column, null where `null` is set."""
    array = pa.array(np.asarray(values, dtype=np.int64), mask=np.asarray(null, dtype=bool))
    return pl.Series(array)


def words(table: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    """A String column of words by code; code -1 is null."""
    # Gather from a tiny table whose trailing entry is the null.
    lookup = pl.Series([*table, None], dtype=pl.String)
    return lookup.gather(np.where(codes < 0, len(table), codes))


def nullable_periods(ordinals: np.ndarray, frequency: np.ndarray, null: np.ndarray) -> pl.Series:
    """Period texts of ordinals, null where `null` is set."""
    known = np.flatnonzero(~null)
    text = pl.Series([None] * len(ordinals), dtype=pl.String)
    if len(known):
        text = text.scatter(known, format_periods(ordinals[known], frequency[known]))
    return text
