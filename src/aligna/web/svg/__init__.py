"""Server-rendered SVG: bullet graphs, sparklines and the KPI chart.

Pure functions of plain data that return `markupsafe.Markup`; no JavaScript, no external
resources. Colours come from CSS classes with inline fallbacks, and every meaning carried by
colour is carried by a shape or text as well.
"""

from aligna.web.svg.bullet import bullet_bands, bullet_domain, bullet_graph
from aligna.web.svg.kpi_axes import chart_ticks, label_every
from aligna.web.svg.kpi_chart import kpi_chart
from aligna.web.svg.kpi_data import Forecast, KpiPoint, Signal
from aligna.web.svg.scale import LinearScale, format_number, format_value, nice_ticks
from aligna.web.svg.sparkline import sparkline, sparkline_points

__all__ = [
    "Forecast",
    "KpiPoint",
    "LinearScale",
    "Signal",
    "bullet_bands",
    "bullet_domain",
    "bullet_graph",
    "chart_ticks",
    "format_number",
    "format_value",
    "kpi_chart",
    "label_every",
    "nice_ticks",
    "sparkline",
    "sparkline_points",
]
