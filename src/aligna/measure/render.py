"""Rich renderings of refresh and record results for the command line."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from aligna.measure.record import RecordResult
from aligna.measure.refresh import KpiResult, RefreshSummary

ERROR_WIDTH = 160


def refresh_summary(summary: RefreshSummary) -> Table:
    """Totals per connection and overall: KPIs ok and failed, rows, new and revised values, time."""
    table = Table(title="Refresh", title_justify="left")
    table.add_column("connection")
    for name, style in (
        ("ok", "green"),
        ("failed", "red"),
        ("rows", ""),
        ("new values", ""),
        ("revised", "yellow"),
        ("query time", ""),
    ):
        table.add_column(name, justify="right", style=style or None)
    groups = summary.by_connection()
    for name, group in groups.items():
        table.add_row(name, *_counts(group, group.seconds))
    if len(groups) > 1:
        table.add_row(Text("total", style="bold"), *_counts(summary, summary.seconds))
    table.caption = f"{len(summary.results)} KPIs in {summary.seconds:.1f} s"
    return table


def _counts(summary: RefreshSummary, seconds: float) -> list[str]:
    return [
        f"{summary.ok:,}",
        f"{summary.failed:,}" if summary.failed else "",
        f"{summary.rows:,}",
        f"{summary.new_values:,}",
        f"{summary.revised_values:,}" if summary.revised_values else "",
        f"{seconds:.1f} s",
    ]


def refresh_results(results: list[KpiResult], limit: int | None = 50) -> Table:
    """One line per KPI (sorted by id): status, counts, time and the first line of its error."""
    ordered = sorted(results, key=lambda r: r.kpi)
    shown = ordered if limit is None else ordered[:limit]
    table = Table(title="KPIs", title_justify="left")
    for name in ("KPI", "connection", "status"):
        table.add_column(name)
    for name in ("rows", "new", "revised", "time"):
        table.add_column(name, justify="right")
    table.add_column("error", overflow="fold")
    for r in shown:
        status = Text("ok", style="green") if r.ok else Text("failed", style="red")
        first = r.error.splitlines()[0] if r.error else ""
        if len(first) > ERROR_WIDTH:
            first = first[: ERROR_WIDTH - 1] + "…"
        more = " (+ more)" if len(r.error.splitlines()) > 1 else ""
        table.add_row(
            r.kpi,
            r.connection,
            status,
            f"{r.rows:,}",
            f"{r.new_values:,}",
            f"{r.revised_values:,}" if r.revised_values else "",
            f"{r.seconds:.2f} s",
            first + more,
        )
    if len(shown) < len(ordered):
        table.caption = f"and {len(ordered) - len(shown):,} more (--all lists every KPI)"
    return table


def record_summary(result: RecordResult) -> str:
    """One sentence saying what a record or import wrote."""
    if not result.written:
        return f"Nothing written: {_values(result.unchanged)} already recorded with the same value."
    if len(result.written) == 1 and not result.unchanged:
        value = result.written[0]
        change = value.change
        unit = f" unit {value.unit}" if value.unit else ""
        was = f", replacing {change.previous:g}" if change.previous is not None else ""
        return (
            f"Recorded {value.kpi}{unit} {change.reading.period}: {change.reading.value:g} "
            f"(revision {change.revision}{was}) as change set {result.change_set_id}."
        )
    parts = [f"{result.new_values:,} new", f"{result.revised_values:,} revised"]
    if result.unchanged:
        parts.append(f"{result.unchanged:,} unchanged")
    return (
        f"Recorded {_values(len(result.written))} ({', '.join(parts)}) "
        f"as change set {result.change_set_id}."
    )


def _values(count: int) -> str:
    return f"{count:,} value" if count == 1 else f"{count:,} values"
