"""Stephen Few's bullet graph: one KPI period against its qualitative ranges and target."""

from __future__ import annotations

from markupsafe import Markup

from aligna.web.svg.markup import (
    document,
    el,
    hatch_pattern,
    points_attr,
    safe_id,
    status_class,
    status_fill,
)
from aligna.web.svg.markup import status_words as words_of
from aligna.web.svg.scale import LinearScale, finite, finite_values, format_value, nice_ticks
from aligna.web.svg.shapes import status_glyph

PAD_LEFT = 4.0
PAD_RIGHT = 4.0  # room for the overflow arrow
GLYPH_GUTTER = 16.0  # room for the status shape at the right end
# Beyond the outermost threshold, room for the band past it (as a share of the span).
HEADROOM = 0.05
# An actual within this share of the span past the thresholds stretches the scale; one further
# out is clipped and marked with an arrow, so a wild value never squashes the ranges.
STRETCH_LIMIT = 0.5

BAND_FILL = {"poor": "#b8b8b8", "satisfactory": "#d4d4d4", "good": "#ececec", "none": "#e4e4e4"}
MARKER_STROKE = "#1f1f1f"

Band = tuple[str, float, float]


def bullet_domain(
    *,
    actual: float | None,
    thresholds: list[float | None],
) -> tuple[float, float]:
    """The scale of a bullet graph: the thresholds and 0, a little headroom, the actual when it
    is not far out, rounded out to 1-2-5 ticks."""
    known = finite_values(thresholds)
    value = finite(actual)
    if not known and value is None:
        return (0.0, 1.0)
    # The bar's length encodes the value, so the scale always includes zero.
    low, high = min([*known, 0.0]), max([*known, 0.0])
    if not known and value is not None:
        low, high = min(low, value), max(high, value)
    span = (high - low) or abs(value or 0.0) or 1.0
    # Room past an outermost threshold for the band beyond it; an end at zero that no
    # threshold sits on needs none.
    if low < 0 or (known and low == min(known)):
        low -= HEADROOM * span
    if high > 0 or (known and high == max(known)):
        high += HEADROOM * span
    if value is not None and low - STRETCH_LIMIT * span <= value <= high + STRETCH_LIMIT * span:
        low, high = min(low, value), max(high, value)
    ticks = nice_ticks(low, high, 5)
    return (ticks[0], ticks[-1])


def bullet_bands(
    *,
    polarity: str,
    domain: tuple[float, float],
    target: float | None,
    red_flag: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    red_lo: float | None = None,
    red_hi: float | None = None,
) -> list[Band]:
    """The qualitative ranges as (kind, start, end), left to right, clipped to the domain."""
    d0, d1 = domain
    if polarity == "within_range":
        if lo is None or hi is None:
            return [("none", d0, d1)]
        rlo = lo if red_lo is None else red_lo
        rhi = hi if red_hi is None else red_hi
        edges = [
            ("poor", d0, rlo),
            ("satisfactory", rlo, lo),
            ("good", lo, hi),
            ("satisfactory", hi, rhi),
            ("poor", rhi, d1),
        ]
    elif target is None:
        return [("none", d0, d1)]
    else:
        red = target if red_flag is None else red_flag
        if polarity == "lower_is_better":
            edges = [("good", d0, target), ("satisfactory", target, red), ("poor", red, d1)]
        else:
            edges = [("poor", d0, red), ("satisfactory", red, target), ("good", target, d1)]
    bands = [(kind, max(d0, a), min(d1, b)) for kind, a, b in edges]
    return [band for band in bands if band[2] > band[1]]


def bullet_graph(
    *,
    actual: float | None,
    target: float | None,
    red_flag: float | None = None,
    stretch: float | None = None,
    polarity: str = "higher_is_better",
    status: str = "no_data",
    unit: str = "",
    label: str = "",
    period: str = "",
    lo: float | None = None,
    hi: float | None = None,
    red_lo: float | None = None,
    red_hi: float | None = None,
    id_prefix: str,
    width: float = 240,
    height: float = 36,
    domain: tuple[float, float] | None = None,
    show_status: bool = True,
) -> Markup:
    """A bullet graph of one KPI period as an accessible inline SVG."""
    value = finite(actual)
    target, red_flag, stretch = finite(target), finite(red_flag), finite(stretch)
    lo, hi, red_lo, red_hi = finite(lo), finite(hi), finite(red_lo), finite(red_hi)
    within = polarity == "within_range"
    if within and target is None and lo is not None and hi is not None:
        target = (lo + hi) / 2  # the band's middle stands for the target (DESIGN)
    if within:
        stretch = None
    thresholds = [target, red_flag, stretch, lo, hi, red_lo, red_hi]
    d0, d1 = domain or bullet_domain(actual=value, thresholds=thresholds)
    right = width - PAD_RIGHT - (GLYPH_GUTTER if show_status else 0.0)
    x = LinearScale(d0, d1, PAD_LEFT, right)
    prefix = safe_id(id_prefix)

    body: list[Markup] = []
    for kind, start, end in bullet_bands(
        polarity=polarity,
        domain=(d0, d1),
        target=target,
        red_flag=red_flag,
        lo=lo,
        hi=hi,
        red_lo=red_lo,
        red_hi=red_hi,
    ):
        body.append(
            el(
                "rect",
                x=x(start),
                y=0.0,
                width=x(end) - x(start),
                height=float(height),
                class_=f"bullet-band band-{kind}",
                fill=BAND_FILL[kind],
            )
        )
    bar_y, bar_h = height / 3, height / 3
    overflow = ""
    if value is None:
        body.append(el("defs", hatch_pattern(f"{prefix}-hatch")))
        body.append(
            el(
                "rect",
                x=PAD_LEFT,
                y=bar_y,
                width=right - PAD_LEFT,
                height=bar_h,
                class_="bullet-bar bullet-bar-empty status-no_data",
                fill=f"url(#{prefix}-hatch)",
                stroke=status_fill("no_data"),
                stroke_width=0.5,
            )
        )
        body.append(
            el(
                "text",
                "no data",
                x=(PAD_LEFT + right) / 2,
                y=bar_y + bar_h / 2,
                class_="bullet-no-data",
                text_anchor="middle",
                dominant_baseline="central",
                font_size=10.0,
                fill="#1f1f1f",
                stroke="#ffffff",
                stroke_width=3,
                paint_order="stroke",
            )
        )
    else:
        base = min(d1, max(d0, 0.0))
        x0, x1 = x.clamp(base), x.clamp(value)
        body.append(
            el(
                "rect",
                x=min(x0, x1),
                y=bar_y,
                width=abs(x1 - x0),
                height=bar_h,
                class_=f"bullet-bar {status_class(status)}",
                fill=status_fill(status),
            )
        )
        if value > d1 or value < d0:
            overflow = "right" if value > d1 else "left"
            tip = right + PAD_RIGHT if overflow == "right" else 0.0
            edge = right if overflow == "right" else PAD_LEFT
            mid = bar_y + bar_h / 2
            arrow = [(edge, mid - bar_h / 2), (tip, mid), (edge, mid + bar_h / 2)]
            body.append(
                el(
                    "polygon",
                    points=points_attr(arrow),
                    class_=f"bullet-overflow {status_class(status)}",
                    fill=status_fill(status),
                )
            )
    if stretch is not None and d0 <= stretch <= d1:
        body.append(_marker(x(stretch), height * 0.3, height * 0.7, 1.0, "bullet-stretch", "2 1"))
    if target is not None and d0 <= target <= d1:
        body.append(_marker(x(target), height * 0.2, height * 0.8, 2.0, "bullet-target", None))
    if show_status:
        shown = "no_data" if value is None and status != "stale" else status
        body.append(status_glyph(shown, width - GLYPH_GUTTER / 2, height / 2, 5.0))

    title, desc = _texts(
        value=value,
        target=target,
        red_flag=red_flag,
        stretch=stretch,
        lo=lo,
        hi=hi,
        red_lo=red_lo,
        red_hi=red_hi,
        within=within,
        status=status,
        unit=unit,
        name=" ".join(part for part in (label, period) if part) or "Value",
        domain=(d0, d1),
        overflow=overflow,
    )
    return document(
        id_prefix=prefix,
        title=title,
        desc=desc,
        view_width=width,
        view_height=height,
        body=body,
        css_class=f"bullet-graph {status_class(status)}",
    )


def _marker(
    x: float, y0: float, y1: float, stroke_width: float, css: str, dash: str | None
) -> Markup:
    return el(
        "line",
        x1=x,
        y1=y0,
        x2=x,
        y2=y1,
        class_=css,
        stroke=MARKER_STROKE,
        stroke_width=stroke_width,
        stroke_dasharray=dash,
    )


def _texts(
    *,
    value: float | None,
    target: float | None,
    red_flag: float | None,
    stretch: float | None,
    lo: float | None,
    hi: float | None,
    red_lo: float | None,
    red_hi: float | None,
    within: bool,
    status: str,
    unit: str,
    name: str,
    domain: tuple[float, float],
    overflow: str,
) -> tuple[str, str]:
    """The title (what it shows, in one sentence) and the longer description."""

    def fv(v: float | None) -> str:
        return format_value(v, unit)

    if within and lo is not None and hi is not None:
        against = f"the range {fv(lo)} to {fv(hi)}"
    elif target is not None:
        against = f"target {fv(target)}"
    else:
        against = "no target"
    if value is None:
        title = f"{name}: no data ({against})"
        if status == "stale":
            title += ", stale"
    else:
        joiner = " against " if against != "no target" else ", "
        title = f"{name}: {fv(value)}{joiner}{against}, {words_of(status)}"
    parts: list[str] = []
    if within:
        if red_lo is not None and red_hi is not None:
            parts.append(f"Red flags below {fv(red_lo)} and above {fv(red_hi)}.")
    else:
        known = [
            f"{word} {fv(v)}"
            for word, v in (("red flag", red_flag), ("target", target), ("stretch", stretch))
            if v is not None
        ]
        if known:
            parts.append(", ".join(known).capitalize() + ".")
    parts.append(f"Scale {fv(domain[0])} to {fv(domain[1])}.")
    if overflow:
        parts.append(f"The value lies beyond the {overflow} end of the scale (arrow).")
    return title, " ".join(parts)
