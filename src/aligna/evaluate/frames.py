"""Numpy arrays into Polars columns: nulls for NaN and sentinels, words for codes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pyarrow as pa

_INLINE_BYTES = 12  # an Arrow string view holds a string of up to 12 bytes inside itself


def floats(values: np.ndarray) -> pl.Series:
    """A Float64 column, NaN as null."""
    return pl.Series(np.asarray(values, dtype=np.float64), nan_to_null=True)


def nullable_ints(values: np.ndarray, null: np.ndarray) -> pl.Series:
    """An Int64 column, null where `null` is set."""
    array = pa.array(np.asarray(values, dtype=np.int64), mask=np.asarray(null, dtype=bool))
    return pl.Series(array)


def words(table: Sequence[str], codes: np.ndarray) -> pl.Series:
    """A String column of words by code; code -1 is null."""
    return texts(table, codes)


def texts(table: Sequence[str], index: np.ndarray) -> pl.Series:
    """A String column of `table[index]`; a negative index is null."""
    index = np.asarray(index)
    if any(len(text.encode()) > _INLINE_BYTES for text in table):
        # Gather from the table whose trailing entry is the null.
        return pl.Series([*table, None], dtype=pl.String).gather(
            np.where(index < 0, len(table), index)
        )
    return pl.Series(short_texts(table, index))


def short_texts(table: Sequence[str], index: np.ndarray) -> pa.Array:
    """`table[index]` (texts of at most 12 bytes) as an Arrow string view array; -1 is null.

    Such texts live wholly inside their 16-byte views (length, then the bytes): picking views
    with numpy, then handing them to Polars as they are (no copy, no hashing), is 2-3x faster
    than gathering strings, on millions of rows.
    """
    encoded = [text.encode() for text in table]
    if any(len(text) > _INLINE_BYTES for text in encoded):
        raise ValueError(f"texts longer than {_INLINE_BYTES} bytes do not fit in a view")
    views = np.zeros((len(encoded) + 1, 16), dtype=np.uint8)  # the last one for nulls
    for i, text in enumerate(encoded):
        views[i, :4] = np.array([len(text)], dtype="<u4").view(np.uint8)
        views[i, 4 : 4 + len(text)] = np.frombuffer(text, dtype=np.uint8)
    index = np.asarray(index)
    null = index < 0
    picked = np.take(views.view(np.uint64), np.where(null, len(encoded), index), axis=0)
    nulls = int(np.count_nonzero(null))
    validity = pa.py_buffer(np.packbits(~null, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(
        pa.string_view(), len(index), [validity, pa.py_buffer(picked)], null_count=nulls
    )


def nullable_periods(ordinals: np.ndarray, frequency: np.ndarray, null: np.ndarray) -> pl.Series:
    """Period texts of ordinals, null where `null` is set."""
    # Imported here: ordinals names its periods with `texts`, so it imports this module.
    from aligna.evaluate.ordinals import format_periods

    known = np.flatnonzero(~null)
    text = pl.Series([None] * len(ordinals), dtype=pl.String)
    if len(known):
        text = text.scatter(known, format_periods(ordinals[known], frequency[known]))
    return text
