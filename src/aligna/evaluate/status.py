"""Status and score of each value against its target, red flag, stretch or band."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligna.evaluate.layout import LOWER, WITHIN

STATUSES: tuple[str, ...] = ("on_track", "at_risk", "off_track", "no_data", "stale")
ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA, STALE = range(5)
NO_STATUS = -1  # a value without a target, or the current (partial) period

# The segment of the score's piecewise-linear curve a value falls on.
SEGMENTS: tuple[str, ...] = (
    "below the red flag",
    "between the red flag and the target",
    "between the target and the stretch",
    "beyond the stretch",
    "red flag equals target, met",
    "red flag equals target, missed",
    "inside the band",
    "inside a zero-width band",
    "between the band and the red band",
    "beyond the red band",
    "outside a band with no red margin",
)
(
    BELOW_RED,
    RED_TO_TARGET,
    TARGET_TO_STRETCH,
    BEYOND_STRETCH,
    MET,
    MISSED,
    INSIDE_BAND,
    ZERO_BAND,
    BETWEEN_BANDS,
    BEYOND_RED_BAND,
    NO_MARGIN,
) = range(len(SEGMENTS))

RED_SCORE, TARGET_SCORE, STRETCH_SCORE = 100 / 3, 200 / 3, 100.0
STEP = 100 / 3  # the score rises by a third between neighbouring points


@dataclass(frozen=True)
class Segment:
    """Which straight piece of the score curve a value fell on, as two (value, score) points.

    The score is `from_score + (a - from_value) * (to_score - from_score) / (to_value -
    from_value)`, clipped to [0, 100]; the points are NaN where a rule gives it directly.
    """

    segment: np.ndarray
    from_value: np.ndarray
    from_score: np.ndarray
    to_value: np.ndarray
    to_score: np.ndarray


@dataclass(frozen=True)
class Judgement:
    """Status code and score per value (and, when asked, the score's segment)."""

    status: np.ndarray
    score: np.ndarray
    raw_score: np.ndarray  # before clipping to [0, 100]
    segment: Segment | None


def judge(
    polarity: np.ndarray,
    a: np.ndarray,
    t: np.ndarray,
    r: np.ndarray,
    s: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    red_lo: np.ndarray,
    red_hi: np.ndarray,
    *,
    details: bool = False,
) -> Judgement:
    """Status and score of actuals `a` (NaN: no value) against their targets, all arrays.

    Higher-is-better: on track if a >= t, off track if a < r, else at risk; lower-is-better
    mirrored; within-range: on track inside [lo, hi], off track outside [red_lo, red_hi].
    The score never divides by the target, only by distances between thresholds.
    """
    within = polarity == WITHIN
    with np.errstate(invalid="ignore", divide="ignore"):
        status, raw = _trajectory(polarity, a, t, r, s)
        # Within-range KPIs are few: their band arithmetic runs on their rows only.
        rows = np.flatnonzero(within)
        if len(rows):
            band = (a[rows], lo[rows], hi[rows], red_lo[rows], red_hi[rows])
            status[rows], raw[rows] = _band(*band)
    has = ~np.isnan(a)
    known = np.where(within, ~np.isnan(lo) & ~np.isnan(hi), ~np.isnan(t))
    status = np.where(has, np.where(known, status, NO_STATUS), NO_DATA).astype(np.int8)
    raw = np.where(has & known, raw, np.nan)
    segment = None
    if details:
        segment = _segments(polarity, a, t, r, s, lo, hi, red_lo, red_hi, has & known)
    return Judgement(status=status, score=np.clip(raw, 0.0, 100.0), raw_score=raw, segment=segment)


def _oriented(
    polarity: np.ndarray, a: np.ndarray, t: np.ndarray, r: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, ...]:
    # Flip lower-is-better onto higher-is-better: the order of the points carries polarity.
    sign = 1.0 - 2.0 * (polarity == LOWER)
    big_t = sign * t
    big_r = sign * r
    big_r = np.where(np.isnan(big_r), big_t, big_r)  # no red flag: no at-risk zone
    big_s = sign * s
    # A missing stretch, or one that does not beat t, falls back to the default t + (t - r).
    big_s = np.where(big_s > big_t, big_s, 2 * big_t - big_r)
    return sign, sign * a, big_t, big_r, big_s


def _trajectory(
    polarity: np.ndarray, a: np.ndarray, t: np.ndarray, r: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    _, big_a, big_t, big_r, big_s = _oriented(polarity, a, t, r, s)
    met = big_a >= big_t
    off = (big_a < big_r) & ~met
    status = (AT_RISK - met.astype(np.int8) + off.astype(np.int8)).astype(np.int8)
    # Below t the slope of r..t (also below r); above t the slope of t..s.
    gap = big_a - big_t
    raw = TARGET_SCORE + gap * STEP / np.where(met, big_s - big_t, big_t - big_r)
    # r = t (or r past t): all or nothing, no curve to interpolate on.
    raw = np.where(big_r >= big_t, 100.0 * met, raw)
    return status, raw


def _band(
    a: np.ndarray, lo: np.ndarray, hi: np.ndarray, red_lo: np.ndarray, red_hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    red_lo = np.where(np.isnan(red_lo), lo, red_lo)
    red_hi = np.where(np.isnan(red_hi), hi, red_hi)
    above = a > hi
    inside = (a >= lo) & ~above
    outside_red = (a < red_lo) | (a > red_hi)
    status = np.where(inside, ON_TRACK, np.where(outside_red, OFF_TRACK, AT_RISK))
    # Inside: 200/3 at the edges rising to 100 at the middle (100 throughout a zero-width
    # band). Outside: 200/3 at the edge down to 100/3 at the red edge, and on with that slope.
    half = (hi - lo) / 2
    beyond = np.abs(a - (lo + hi) / 2) - half  # distance past the nearer edge (< 0 inside)
    margin = np.where(above, red_hi - hi, lo - red_lo)
    inner = np.where(half > 0, TARGET_SCORE - STEP * beyond / half, STRETCH_SCORE)
    outer = np.where(margin > 0, TARGET_SCORE - STEP * beyond / margin, 0.0)
    return status, np.where(inside, inner, outer)


def _segments(
    polarity: np.ndarray,
    a: np.ndarray,
    t: np.ndarray,
    r: np.ndarray,
    s: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    red_lo: np.ndarray,
    red_hi: np.ndarray,
    scored: np.ndarray,
) -> Segment:
    """The segment and its two end points per value, for explanations."""
    with np.errstate(invalid="ignore"):
        sign, big_a, big_t, big_r, big_s = _oriented(polarity, a, t, r, s)
        below = big_a < big_t
        line = np.where(
            below,
            np.where(big_a >= big_r, RED_TO_TARGET, BELOW_RED),
            np.where(big_a <= big_s, TARGET_TO_STRETCH, BEYOND_STRETCH),
        )
        flat = big_r >= big_t
        line = np.where(flat, np.where(below, MISSED, MET), line)
        line_points = (
            sign * np.where(below, big_r, big_t),
            np.where(below, RED_SCORE, TARGET_SCORE),
            sign * np.where(below, big_t, big_s),
            np.where(below, TARGET_SCORE, STRETCH_SCORE),
        )
        red_lo = np.where(np.isnan(red_lo), lo, red_lo)
        red_hi = np.where(np.isnan(red_hi), hi, red_hi)
        middle = (lo + hi) / 2
        above = a > hi
        inside = (a >= lo) & ~above
        edge = np.where(inside, np.where(a < middle, lo, hi), np.where(above, hi, lo))
        far = np.where(inside, middle, np.where(above, red_hi, red_lo))
        outside_red = (a < red_lo) | (a > red_hi)
        zero = inside & (hi == lo)
        no_margin = ~inside & (far == edge)
        band = np.where(
            inside,
            np.where(zero, ZERO_BAND, INSIDE_BAND),
            np.where(no_margin, NO_MARGIN, np.where(outside_red, BEYOND_RED_BAND, BETWEEN_BANDS)),
        )
        band_points = (edge, TARGET_SCORE, far, np.where(inside, STRETCH_SCORE, RED_SCORE))
    within = polarity == WITHIN
    direct = np.where(within, zero | no_margin, flat)
    keep = scored & ~direct
    points = [
        np.where(keep, np.where(within, b, x), np.nan)
        for x, b in zip(line_points, band_points, strict=True)
    ]
    segment = np.where(scored, np.where(within, band, line), -1).astype(np.int8)
    return Segment(segment, *points)
