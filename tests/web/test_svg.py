"""Server-rendered SVG: the numbers below are worked out by hand from the layout constants
(bullet: 4 px left pad, 4 px right pad, 16 px status gutter; sparkline: 2.5 px pad)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from markupsafe import Markup

from aligna.web.svg import (
    Forecast,
    KpiPoint,
    LinearScale,
    Signal,
    bullet_bands,
    bullet_domain,
    bullet_graph,
    chart_ticks,
    format_number,
    format_value,
    kpi_chart,
    label_every,
    nice_ticks,
    sparkline,
    sparkline_points,
)

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: Markup) -> ET.Element:
    """The SVG as an element tree (fails when it is not well-formed XML)."""
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))


def by_class(root: ET.Element, css: str) -> list[ET.Element]:
    """The elements that carry the CSS class `css`, outside the legend (whose swatches share
    the chart's classes so that they are styled alike)."""
    found = []
    for child in root:
        classes = (child.get("class") or "").split()
        if "kpi-legend" in classes:
            continue
        if css in classes:
            found.append(child)
        found.extend(by_class(child, css))
    return found


def one(root: ET.Element, css: str) -> ET.Element:
    """The single element with class `css`."""
    found = by_class(root, css)
    assert len(found) == 1, (css, len(found))
    return found[0]


def title_of(root: ET.Element) -> str:
    """The text of the SVG's own <title>."""
    title = root.find(f"{NS}title")
    assert title is not None
    return title.text or ""


def coords(polygon: ET.Element) -> list[tuple[float, float]]:
    """The corners of a polygon or polyline."""
    return [
        (float(x), float(y)) for x, y in (p.split(",") for p in polygon.get("points", "").split())
    ]


def flat(points: list[tuple[float, float]]) -> list[float]:
    """x0, y0, x1, y1... for approximate comparison."""
    return [c for point in points for c in point]


def f(element: ET.Element, name: str) -> float:
    """A numeric attribute."""
    return float(element.get(name, "nan"))


def assert_accessible(root: ET.Element) -> None:
    """role="img", a <title> it is labelled by, and ids unique inside it."""
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    assert title is not None and (title.text or "").strip()
    assert root.get("aria-labelledby") == title.get("id")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert "<script" not in ET.tostring(root, encoding="unicode")


# --- scale -------------------------------------------------------------------------------


def test_nice_ticks_use_1_2_5_steps() -> None:
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0.3, 0.7) == [0.3, 0.4, 0.5, 0.6, 0.7]  # no 0.30000000000000004
    assert nice_ticks(-3, 7) == [-4, -2, 0, 2, 4, 6, 8]
    assert nice_ticks(0, 12345) == [0, 2000, 4000, 6000, 8000, 10000, 12000, 14000]
    assert nice_ticks(50, 50) == [44, 46, 48, 50, 52, 54, 56]  # one value: 45..55 around it


def test_numbers_have_thousands_separators() -> None:
    assert format_number(1234567.891, 2) == "1,234,567.89"
    assert format_number(-0.04, 1) == "0.0"
    assert format_value(95.666, "%") == "95.7 %"
    assert format_value(1234.6, "EUR") == "1,235 EUR"
    assert format_value(0.01234) == "0.0123"
    assert format_value(-2500000) == "-2,500,000"
    assert format_value(None) == "no data"


def test_linear_scale() -> None:
    scale = LinearScale(0, 120, 4, 220)
    assert scale(100) == pytest.approx(184)  # 4 + 100/120 x 216
    assert scale.clamp(1000) == 220
    assert LinearScale(5, 5, 0, 10)(5) == 5  # an empty domain maps to the middle


# --- bullet graph --------------------------------------------------------------------------


def test_bullet_positions_worked_by_hand() -> None:
    # Plot from x=4 to x=220 (240 - 4 - 16): 1.8 px per unit on [0, 120].
    root = parse(
        bullet_graph(
            actual=60,
            target=100,
            red_flag=90,
            stretch=110,
            status="off_track",
            id_prefix="b",
            domain=(0, 120),
        )
    )
    assert_accessible(root)
    target = one(root, "bullet-target")
    assert f(target, "x1") == f(target, "x2") == 184
    assert f(target, "stroke-width") == 2
    stretch = one(root, "bullet-stretch")
    assert f(stretch, "x1") == 202
    assert f(stretch, "stroke-width") == 1  # thinner than the target
    bar = one(root, "bullet-bar")
    assert "status-off_track" in bar.get("class", "")
    assert (f(bar, "x"), f(bar, "width")) == (4, 108)
    assert (f(bar, "y"), f(bar, "height")) == (12, 12)  # the middle third of 36
    bands = [(b.get("class"), f(b, "x"), f(b, "width")) for b in by_class(root, "bullet-band")]
    assert bands == [
        ("bullet-band band-poor", 4, 162),
        ("bullet-band band-satisfactory", 166, 18),
        ("bullet-band band-good", 184, 36),
    ]
    # The status is a shape too (a diamond for off track), not only a colour.
    glyph = one(root, "status-glyph")
    assert glyph.get("data-status") == "off_track"
    assert coords(glyph) == [(232, 13), (237, 18), (232, 23), (227, 18)]


def test_bullet_domain_includes_zero_and_rounds_out() -> None:
    # Thresholds 90..110 and 0; 5% headroom past the stretch: 115.5 -> steps of 20 -> 120.
    assert bullet_domain(actual=95, thresholds=[100, 90, 110]) == (0, 120)
    # An actual not far out stretches the scale: 130 -> steps of 20 -> 140.
    assert bullet_domain(actual=130, thresholds=[100, 90, 110]) == (0, 140)
    # One far out is clipped instead (the scale stays on the thresholds).
    assert bullet_domain(actual=1000, thresholds=[100, 90, None]) == (0, 120)
    assert bullet_domain(actual=None, thresholds=[None]) == (0, 1)


def test_bullet_title_says_it_in_words() -> None:
    root = parse(
        bullet_graph(
            actual=90.9,
            target=95.7,
            red_flag=92,
            status="off_track",
            unit="%",
            label="On-time delivery",
            period="2026-10",
            id_prefix="otd",
        )
    )
    assert title_of(root) == "On-time delivery 2026-10: 90.9 % against target 95.7 %, off track"
    assert root.get("aria-describedby") == "otd-desc"


def test_lower_is_better_mirrors_the_ranges() -> None:
    assert bullet_bands(polarity="lower_is_better", domain=(0, 7), target=5, red_flag=6) == [
        ("good", 0, 5),
        ("satisfactory", 5, 6),
        ("poor", 6, 7),
    ]
    assert bullet_bands(polarity="higher_is_better", domain=(0, 7), target=5, red_flag=4) == [
        ("poor", 0, 4),
        ("satisfactory", 4, 5),
        ("good", 5, 7),
    ]
    # Domain 0..7: 4 + 5/7 x 216 for the target.
    root = parse(
        bullet_graph(
            actual=4,
            target=5,
            red_flag=6,
            polarity="lower_is_better",
            status="on_track",
            id_prefix="l",
        )
    )
    assert f(one(root, "band-good"), "x") == 4  # good starts at zero, on the left
    assert f(one(root, "bullet-target"), "x1") == pytest.approx(4 + 5 / 7 * 216, abs=0.01)
    assert f(one(root, "band-poor"), "x") == pytest.approx(4 + 6 / 7 * 216, abs=0.01)


def test_within_range_bands_and_middle_marker() -> None:
    assert bullet_bands(
        polarity="within_range", domain=(0, 30), target=None, lo=18, hi=22, red_lo=16, red_hi=25
    ) == [
        ("poor", 0, 16),
        ("satisfactory", 16, 18),
        ("good", 18, 22),
        ("satisfactory", 22, 25),
        ("poor", 25, 30),
    ]
    root = parse(
        bullet_graph(
            actual=23,
            target=None,
            lo=18,
            hi=22,
            red_lo=16,
            red_hi=25,
            polarity="within_range",
            status="at_risk",
            unit="°C",
            label="Temperature",
            id_prefix="w",
            domain=(0, 40),
        )
    )
    # The band's middle (20) stands for the target: 4 + 20/40 x 216 = 112.
    assert f(one(root, "bullet-target"), "x1") == 112
    good = one(root, "band-good")
    assert (f(good, "x"), f(good, "width")) == (4 + 18 * 5.4, 4 * 5.4)
    assert title_of(root) == "Temperature: 23 °C against the range 18 °C to 22 °C, at risk"


def test_no_data_shows_ranges_target_and_hatched_bar() -> None:
    root = parse(
        bullet_graph(actual=None, target=100, red_flag=90, id_prefix="nd", domain=(0, 120))
    )
    assert_accessible(root)
    bar = one(root, "bullet-bar")
    assert "bullet-bar-empty" in bar.get("class", "")
    assert bar.get("fill") == "url(#nd-hatch)"
    pattern = root.find(f"{NS}defs/{NS}pattern")
    assert pattern is not None and pattern.get("id") == "nd-hatch"
    assert one(root, "bullet-no-data").text == "no data"
    assert f(one(root, "bullet-target"), "x1") == 184
    assert len(by_class(root, "bullet-band")) == 3
    assert title_of(root) == "Value: no data (target 100)"


def test_negative_values_grow_the_bar_left_from_zero() -> None:
    # Thresholds -5..1 with 5% headroom: -5.3..1.3 -> steps of 1 -> domain -6..2, 27 px a unit.
    root = parse(
        bullet_graph(
            actual=-3, target=-2, red_flag=-5, stretch=1, status="at_risk", id_prefix="neg"
        )
    )
    bar = one(root, "bullet-bar")
    assert (f(bar, "x"), f(bar, "width")) == (85, 81)  # from x(-3) = 85 to x(0) = 166
    assert f(one(root, "bullet-target"), "x1") == 112  # x(-2)
    assert "Scale -6 to 2." in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_zero_target_keeps_a_good_band() -> None:
    # Thresholds -1..0, headroom both ends: -1.05..0.05, actual 0.1 stretches: -> -1.2..0.2.
    assert bullet_domain(actual=0.1, thresholds=[0, -1, None]) == (-1.2, 0.2)
    root = parse(bullet_graph(actual=0.1, target=0, red_flag=-1, status="on_track", id_prefix="z"))
    assert f(one(root, "band-good"), "width") == pytest.approx(216 * 0.2 / 1.4, abs=0.01)


def test_actual_far_beyond_target_is_clipped_with_an_arrow() -> None:
    root = parse(
        bullet_graph(actual=1000, target=100, red_flag=90, status="on_track", id_prefix="o")
    )
    bar = one(root, "bullet-bar")
    assert (f(bar, "x"), f(bar, "width")) == (4, 216)  # clipped to the scale's end
    arrow = one(root, "bullet-overflow")
    assert coords(arrow) == [(220, 12), (224, 18), (220, 24)]
    assert title_of(root) == "Value: 1,000 against target 100, on track"
    # Far below, the arrow points left from the scale's start.
    low = parse(
        bullet_graph(actual=-500, target=100, red_flag=90, status="off_track", id_prefix="u")
    )
    assert coords(one(low, "bullet-overflow")) == [(4, 12), (0, 18), (4, 24)]


def test_ids_are_prefixed_and_text_escaped() -> None:
    svg = bullet_graph(
        actual=None, target=1, label="<b>R&D</b>", id_prefix="kpi/r&d 1", domain=(0, 2)
    )
    root = parse(svg)
    assert root.get("id") == "kpi-r-d-1"
    assert title_of(root).startswith("<b>R&D</b>")
    assert "<b>" not in str(svg)
    other = parse(bullet_graph(actual=None, target=1, id_prefix="kpi-2", domain=(0, 2)))
    ids = [e.get("id") for r in (root, other) for e in r.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


# --- sparkline ---------------------------------------------------------------------------


def test_sparkline_points_worked_by_hand() -> None:
    # x from 2.5 to 97.5; y from 21.5 (low) to 2.5 (high).
    assert sparkline_points([0, 10, 5]) == [(2.5, 21.5), (50, 2.5), (97.5, 12)]
    root = parse(sparkline([0, 10, 5], id_prefix="s", label="Orders", status="on_track"))
    assert_accessible(root)
    assert coords(one(root, "spark-line")) == [(2.5, 21.5), (50, 2.5), (97.5, 12)]
    last = one(root, "spark-last")
    assert (f(last, "cx"), f(last, "cy")) == (97.5, 12)
    assert "status-on_track" in last.get("class", "")
    assert title_of(root) == "Orders, last 3 periods: from 0 to 5 (low 0, high 10), on track"


def test_sparkline_gaps_and_target() -> None:
    root = parse(sparkline([1, None, 3, 4], target=5, id_prefix="g"))
    assert len(by_class(root, "spark-line")) == 1  # 3 -> 4 only
    assert len(by_class(root, "spark-lone")) == 1  # the 1 between the start and a gap
    # The target joins the scale: 1..5 -> y(5) = 2.5 and the last dot is on 4.
    assert f(one(root, "spark-target"), "y1") == 2.5
    assert f(one(root, "spark-last"), "cx") == 97.5
    assert f(one(root, "spark-last"), "cy") == pytest.approx(21.5 - 3 / 4 * 19)
    # A trailing gap: the dot stays on the last known value.
    trailing = parse(sparkline([1, 2, None], id_prefix="t"))
    assert f(one(trailing, "spark-last"), "cx") == 50


@pytest.mark.parametrize(
    ("values", "dots"),
    [([], 0), ([None, None], 0), ([7], 1), ([3, 3, 3], 1)],
)
def test_sparkline_degenerate_inputs(values: list[float | None], dots: int) -> None:
    root = parse(sparkline(values, id_prefix="d"))
    assert_accessible(root)
    assert len(by_class(root, "spark-last")) == dots
    if dots:
        assert f(one(root, "spark-last"), "cy") == 12  # one value or equal values: the middle
    if values == [7]:
        assert f(one(root, "spark-last"), "cx") == 50
    if not dots:
        assert title_of(root) == "Values: no data"


# --- KPI chart ---------------------------------------------------------------------------


def months(n: int, start_year: int = 2026) -> list[str]:
    """n consecutive months from January of `start_year`."""
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def test_chart_ticks_and_zero_baseline() -> None:
    points = [KpiPoint(period="2026-01", actual=0), KpiPoint(period="2026-02", actual=97)]
    assert chart_ticks(points) == [0, 20, 40, 60, 80, 100]
    # Data high above zero: zero would squash it, so the axis starts near the data.
    far = [KpiPoint(period="a", actual=3150), KpiPoint(period="b", actual=6500)]
    assert chart_ticks(far) == [3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500]
    near = [KpiPoint(period="a", actual=30), KpiPoint(period="b", actual=95)]
    assert chart_ticks(near)[0] == 0  # 30 <= 95/3: zero adds little, so it is shown
    assert chart_ticks(near, Forecast(end_period="c", projected=120))[-1] == 120


def test_label_every_never_lets_labels_overlap() -> None:
    labels = months(120)
    # "2026-01" is estimated 7 x 11 x 0.62 = 47.74 px wide, plus a 6 px gap.
    assert label_every(labels, 60) == 1
    assert label_every(labels, 30) == 2
    assert label_every(labels, 13) == 6  # needs 5 -> the next of 1, 2, 3, 4, 6, 12
    assert label_every(labels, 5) == 12  # needs 11
    assert label_every(labels, 1) == 60  # needs 54 -> a multiple of 12


def test_chart_labels_thinned_for_120_periods() -> None:
    points = [
        KpiPoint(period=p, actual=float(i % 7), target=3.0) for i, p in enumerate(months(120))
    ]
    root = parse(kpi_chart(points, id_prefix="long", label="Orders"))
    assert_accessible(root)
    labels = by_class(root, "kpi-period")
    assert [t.text for t in labels][:3] == ["2026-01", "2027-01", "2028-01"]
    assert len(labels) == 10
    width = 7 * 11 * 0.62
    xs = [f(t, "x") for t in labels]
    assert all(b - a >= width + 6 for a, b in itertools.pairwise(xs))
    assert xs[0] - width / 2 >= 0 and xs[-1] + width / 2 <= 720
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 720 300"


def signal_chart() -> ET.Element:
    """Values 0..100 over 5 months; signals on March (two) and April."""
    points = [
        KpiPoint(period="2026-01", actual=0, target=50, red_flag=40, status="off_track"),
        KpiPoint(period="2026-02", actual=50, target=50, red_flag=40, status="on_track"),
        KpiPoint(
            period="2026-03",
            actual=100,
            target=50,
            red_flag=40,
            status="on_track",
            centre=50,
            lower_limit=10,
            upper_limit=90,
            signals=(Signal(1, "above", True), Signal(3, "above", True)),
        ),
        KpiPoint(
            period="2026-04",
            actual=20,
            target=50,
            red_flag=40,
            status="off_track",
            centre=50,
            lower_limit=10,
            upper_limit=90,
            signals=(Signal(2, "below", False),),
        ),
        KpiPoint(period="2026-05", actual=60, target=50, red_flag=40, partial=True),
    ]
    forecast = Forecast(end_period="2026-06", projected=80, final_target=50, meets=True)
    return parse(kpi_chart(points, forecast, id_prefix="sig", label="Quality", unit="%"))


def test_chart_places_points_on_the_value_scale() -> None:
    root = signal_chart()
    assert_accessible(root)
    grid = {
        t.text: f(line, "y1")
        for t, line in zip(by_class(root, "kpi-tick"), by_class(root, "kpi-grid"), strict=True)
    }
    axis = by_class(root, "kpi-axis")[0]
    left, right = f(axis, "x1"), f(axis, "x2")
    slot = (right - left) / 6  # 5 periods and the forecast's end period
    dots = {d.get("data-period"): d for d in by_class(root, "kpi-point")}
    for i, (period, value) in enumerate([("2026-01", "0"), ("2026-03", "100")]):
        assert f(dots[period], "cy") == grid[value]
        assert f(dots[period], "cx") == pytest.approx(left + ({0: 0.5, 1: 2.5}[i]) * slot, abs=0.01)
    assert f(dots["2026-02"], "cy") == pytest.approx((grid["0"] + grid["100"]) / 2, abs=0.01)


def test_signals_have_a_shape_per_rule_and_a_fill_by_direction() -> None:
    root = signal_chart()
    dots = {d.get("data-period"): d for d in by_class(root, "kpi-point")}
    marks = by_class(root, "signal-mark")
    assert [(m.get("data-period"), m.get("data-rule")) for m in marks] == [
        ("2026-03", "1"),
        ("2026-03", "3"),
        ("2026-04", "2"),
    ]
    march_x, march_y = f(dots["2026-03"], "cx"), f(dots["2026-03"], "cy")
    rule1, rule3, rule2 = (m.find(f"{NS}polygon") for m in marks)
    # Rule 1 above: a triangle pointing up, centred on its point (half-size 5.5).
    x, y = march_x, march_y
    triangle = [(x, y - 5.5), (x + 5.5, y + 4.4), (x - 5.5, y + 4.4)]
    assert flat(coords(rule1)) == pytest.approx(flat(triangle), abs=0.01)
    # Rule 3: a diamond, stacked 12 px outwards (above) from the first signal.
    diamond = [(x, y - 17.5), (x + 5.5, y - 12), (x, y - 6.5), (x - 5.5, y - 12)]
    assert flat(coords(rule3)) == pytest.approx(flat(diamond), abs=0.01)
    # Rule 2: a square on the April point; adverse is solid, favourable hollow.
    x, y = f(dots["2026-04"], "cx"), f(dots["2026-04"], "cy")
    square = [(x - 5.5, y - 5.5), (x + 5.5, y - 5.5), (x + 5.5, y + 5.5), (x - 5.5, y + 5.5)]
    assert flat(coords(rule2)) == pytest.approx(flat(square), abs=0.01)
    assert "signal-adverse" in rule2.get("class", "") and rule2.get("fill") == "#c0392b"
    assert "signal-favourable" in rule1.get("class", "") and rule1.get("fill") == "#ffffff"
    # And in words, for those who cannot see shapes or colours.
    words = marks[2].find(f"{NS}title").text  # type: ignore[union-attr]
    assert words == (
        "Signal at 2026-04: rule 2 (3 of 4 values beyond the half-way line), below, adverse"
    )
    desc = root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]
    assert "2026-03 rule 1 (a value beyond a natural process limit), above, favourable" in desc
    legend = [t.text for t in root.iter(f"{NS}text") if t.text and t.text.startswith("Rule")]
    assert legend == [
        "Rule 1: beyond a limit",
        "Rule 2: 3 of 4 beyond half-way",
        "Rule 3: 8 on one side",
    ]


def test_chart_partial_forecast_bands_and_limits() -> None:
    root = signal_chart()
    partial = [d for d in by_class(root, "kpi-point") if "kpi-partial" in d.get("class", "")]
    assert [d.get("data-period") for d in partial] == ["2026-05"]
    assert partial[0].get("fill") == "#ffffff"  # hollow
    dots = {d.get("data-period"): d for d in by_class(root, "kpi-point")}
    # The forecast runs from the last closed actual (April) to 80 in June.
    line = one(root, "kpi-forecast")
    start, end = coords(line)
    assert start == pytest.approx((f(dots["2026-04"], "cx"), f(dots["2026-04"], "cy")), abs=0.01)
    end_dot = one(root, "kpi-forecast-end")
    assert end == pytest.approx((f(end_dot, "cx"), f(end_dot, "cy")), abs=0.01)
    assert [t.text for t in by_class(root, "kpi-period")][-1] == "2026-06"
    assert len(by_class(root, "kpi-band-red-flag")) == 1
    assert one(root, "kpi-target").get("stroke-dasharray")
    limits = {p.get("data-line") for p in root.iter(f"{NS}path")}
    assert limits == {"lower_limit", "upper_limit", "centre"}
    assert title_of(root) == (
        "Quality, 2026-01 to 2026-05: latest 2026-04: 20 % against target 50 %, off track"
    )


def test_chart_within_range_and_json_input() -> None:
    band = {"lo": 18, "hi": 22, "red_lo": 16, "red_hi": 25}
    rule_1 = [{"rule": 1, "side": "above", "favourable": None}]
    weeks = [("2026-W01", 20, "on_track"), ("2026-W02", 26, "off_track")]
    weeks += [("2026-W03", float("nan"), "no_data"), ("2026-W04", 19, "on_track")]
    rows = [
        {"period": p, "actual": v, "status": s, "signals": rule_1 if v > 25 else [], **band}
        for p, v, s in weeks
    ]
    svg = kpi_chart(rows, id_prefix="range", label="Temperature", unit="°C")
    root = parse(svg)
    assert_accessible(root)
    assert len(by_class(root, "kpi-band-range")) == 1
    assert len(by_class(root, "kpi-red-flag")) == 2  # the red band's two edges
    assert len(by_class(root, "kpi-band-red-flag")) == 0
    assert "signal-unknown" in by_class(root, "signal")[0].get("class", "")
    # NaN is a gap: two stretches of actuals, the lone W04 has no segment of its own.
    assert len(by_class(root, "kpi-actual")) == 1
    same = kpi_chart(
        [KpiPoint.of(r) for r in rows], id_prefix="range", label="Temperature", unit="°C"
    )
    assert same == svg


def test_chart_without_data() -> None:
    root = parse(kpi_chart([KpiPoint(period="2026-10", target=10, red_flag=9)], id_prefix="e"))
    assert_accessible(root)
    assert one(root, "kpi-no-data").text == "no data"
    empty = parse(kpi_chart([], id_prefix="none", label="Orders"))
    assert_accessible(empty)
    assert title_of(empty) == "Orders: no data"


def test_every_chart_marks_status_by_more_than_colour() -> None:
    root = signal_chart()
    counts = Counter(d.get("class") for d in by_class(root, "kpi-point"))
    assert counts["kpi-point status-off_track"] == 2
    titles = [d.find(f"{NS}title").text for d in by_class(root, "kpi-point")]  # type: ignore[union-attr]
    assert titles[0] == "2026-01: 0 % against target 50 %, off track"
    assert titles[-1] == "2026-05: 60 % against target 50 % so far (current period)"
