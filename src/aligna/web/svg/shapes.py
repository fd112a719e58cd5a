"""Shapes that carry meaning beside colour: status glyphs and XmR signal markers."""

from __future__ import annotations

from markupsafe import Markup

from aligna.web.svg.markup import el, points_attr, status_class, status_fill

# A distinct shape per detection rule, so a signal reads without colour.
RULE_SHAPES = {1: "triangle", 2: "square", 3: "diamond"}
RULE_WORDS = {
    1: "a value beyond a natural process limit",
    2: "3 of 4 values beyond the half-way line",
    3: "8 values in a row on one side of the centre line",
}
STATUS_SHAPES = {
    "on_track": "circle",
    "at_risk": "triangle",
    "off_track": "diamond",
    "no_data": "ring",
    "stale": "hollow-square",
}
FAVOURABLE_FILL = "#1a7f37"
ADVERSE_FILL = "#c0392b"
UNKNOWN_FILL = "#6b6b6b"
HOLLOW_FILL = "#ffffff"


def shape_points(shape: str, cx: float, cy: float, size: float) -> list[tuple[float, float]]:
    """The corners of a polygon shape of half-size `size` centred on (cx, cy)."""
    if shape == "triangle":
        return [(cx, cy - size), (cx + size, cy + size * 0.8), (cx - size, cy + size * 0.8)]
    if shape == "triangle-down":
        return [(cx, cy + size), (cx + size, cy - size * 0.8), (cx - size, cy - size * 0.8)]
    if shape == "diamond":
        return [(cx, cy - size), (cx + size, cy), (cx, cy + size), (cx - size, cy)]
    # square
    return [
        (cx - size, cy - size),
        (cx + size, cy - size),
        (cx + size, cy + size),
        (cx - size, cy + size),
    ]


def shape(name: str, cx: float, cy: float, size: float, **attributes: object) -> Markup:
    """A circle or polygon called `name` centred on (cx, cy)."""
    if name in ("circle", "ring"):
        return el("circle", cx=cx, cy=cy, r=size, **attributes)
    polygon = "square" if name == "hollow-square" else name
    return el("polygon", points=points_attr(shape_points(polygon, cx, cy, size)), **attributes)


def status_glyph(status: str | None, cx: float, cy: float, size: float = 5.0) -> Markup:
    """A status as a shape: circle on track, triangle at risk, diamond off track,
    ring no data, hollow square stale."""
    name = STATUS_SHAPES.get(status or "", "ring")
    hollow = name in ("ring", "hollow-square")
    colour = status_fill(status)
    return shape(
        name,
        cx,
        cy,
        size,
        class_=f"status-glyph {status_class(status)}" + (" hollow" if hollow else ""),
        fill=HOLLOW_FILL if hollow else colour,
        stroke=colour,
        stroke_width=1.5,
        data_status=status or "none",
    )


def by_direction(favourable: bool | None, yes: str, no: str, unknown: str) -> str:
    """`yes` for a favourable signal, `no` for an adverse one, `unknown` without a direction."""
    if favourable is None:
        return unknown
    return yes if favourable else no


def signal_fill_class(favourable: bool | None) -> str:
    """`signal-favourable`, `signal-adverse` or `signal-unknown`."""
    return by_direction(favourable, "signal-favourable", "signal-adverse", "signal-unknown")


def signal_shape_name(rule: int, side: str) -> str:
    """The shape of a rule's marker: rule 1 a triangle pointing to its side, rule 2 a square,
    rule 3 a diamond, anything else a circle."""
    name = RULE_SHAPES.get(rule, "circle")
    if name == "triangle" and side == "below":
        return "triangle-down"
    return name


def signal_marker(
    rule: int, side: str, favourable: bool | None, cx: float, cy: float, size: float = 5.5
) -> Markup:
    """A signal's marker: shape by rule; favourable hollow, adverse solid (colour repeats it)."""
    colour = by_direction(favourable, FAVOURABLE_FILL, ADVERSE_FILL, UNKNOWN_FILL)
    return shape(
        signal_shape_name(rule, side),
        cx,
        cy,
        size,
        class_=f"signal signal-rule-{rule} {signal_fill_class(favourable)}",
        # Hollow versus solid tells favourable from adverse without colour.
        fill=HOLLOW_FILL if favourable else colour,
        stroke=colour if favourable or favourable is None else "#5a1a12",
        stroke_width=1.5,
    )


def signal_words(rule: int, side: str, favourable: bool | None) -> str:
    """A signal in words, e.g. "rule 1 (a value beyond a natural process limit), above, adverse"."""
    kind = by_direction(favourable, "favourable", "adverse", "of unknown direction")
    what = RULE_WORDS.get(rule, "a signal")
    return f"rule {rule} ({what}), {side}, {kind}"
