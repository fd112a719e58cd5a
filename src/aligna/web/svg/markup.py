"""Building SVG elements safely: escaping, the accessible root, ids and shared colours."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from aligna.web.svg.scale import num
from aligna.words import STATUS_WORDS

SVG_NS = "http://www.w3.org/2000/svg"
# A font the reader already has: the charts must not fetch anything.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# Inline fallbacks so an SVG reads without the page's stylesheet; the classes win over them
# (presentation attributes have the lowest precedence in CSS).
STATUS_FILL = {
    "on_track": "#1a7f37",
    "at_risk": "#b35900",
    "off_track": "#c0392b",
    "no_data": "#8c8c8c",
    "stale": "#6b6b6b",
}
NEUTRAL_FILL = "#4a4a4a"

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def status_fill(status: str | None) -> str:
    """The fallback fill of a status (neutral when unknown or missing)."""
    return STATUS_FILL.get(status or "", NEUTRAL_FILL)


def status_class(status: str | None) -> str:
    """The CSS class of a status, e.g. `status-on_track` (`status-none` when missing)."""
    return f"status-{status}" if status in STATUS_FILL else "status-none"


def status_words(status: str | None) -> str:
    """A status in words, e.g. "off track"."""
    return STATUS_WORDS.get(status or "", str(status or "no status"))


def safe_id(prefix: str) -> str:
    """`prefix` reduced to characters valid in an XML id, starting with a letter."""
    cleaned = _ID_UNSAFE.sub("-", prefix.strip()) or "svg"
    return cleaned if cleaned[0].isalpha() else f"svg-{cleaned}"


def _attr_name(name: str) -> str:
    # `class_` -> `class`, `stroke_width` -> `stroke-width`; camelCase names pass unchanged.
    return name.rstrip("_").replace("_", "-")


def _attr_value(value: object) -> str:
    if isinstance(value, float):
        return num(value)
    return str(value)


def el(name: str, *children: str, **attributes: object) -> Markup:
    """One element: attributes escaped (None left out), text children escaped."""
    parts = [name]
    for key, value in attributes.items():
        if value is None:
            continue
        parts.append(f'{_attr_name(key)}="{escape(_attr_value(value))}"')
    head = " ".join(parts)
    if not children:
        return Markup(f"<{head}/>")
    body = "".join(str(escape(child)) for child in children)
    return Markup(f"<{head}>{body}</{name}>")


def group(children: list[Markup], **attributes: object) -> Markup:
    """A `<g>` around `children` (nothing when there are none)."""
    if not children:
        return Markup("")
    return el("g", Markup("").join(children), **attributes)


def points_attr(points: list[tuple[float, float]]) -> str:
    """The `points` attribute of a polyline or polygon."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def document(
    *,
    id_prefix: str,
    title: str,
    desc: str,
    view_width: float,
    view_height: float,
    body: list[Markup],
    css_class: str,
    responsive: bool = False,
) -> Markup:
    """The `<svg>` root: role="img", a `<title>` it is labelled by and a `<desc>`."""
    prefix = safe_id(id_prefix)
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    size: dict[str, object] = (
        {"width": "100%"} if responsive else {"width": view_width, "height": view_height}
    )
    content = [el("title", title, id=title_id)]
    if desc:
        content.append(el("desc", desc, id=desc_id))
    content.extend(body)
    return el(
        "svg",
        Markup("").join(content),
        xmlns=SVG_NS,
        role="img",
        aria_labelledby=title_id,
        aria_describedby=desc_id if desc else None,
        viewBox=f"0 0 {num(view_width)} {num(view_height)}",
        preserveAspectRatio="xMidYMid meet",
        font_family=FONT,
        class_=css_class,
        id=prefix,
        **size,
    )


def hatch_pattern(pattern_id: str, stroke: str = "#8c8c8c") -> Markup:
    """A diagonal hatch (for "no data") as a `<pattern>` with the given id."""
    line = el("line", x1=0, y1=0, x2=0, y2=4, stroke=stroke, stroke_width=1.5)
    return el(
        "pattern",
        line,
        id=pattern_id,
        width=4,
        height=4,
        patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )
