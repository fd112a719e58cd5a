"""Server-rendered SVG: bullet graphs, sparklines and the KPI chart."""
