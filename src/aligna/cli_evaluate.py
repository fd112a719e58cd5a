"""Evaluation commands: evaluate, status, kpi show, gaps, exceptions, explain.

Registered on the main `aligna` app when aligna.cli is imported (see its last lines). Each
listing command takes `--format table|json`; the JSON is documented in docs/evaluation.md.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from aligna.cli import app, console, existing_database, fail, settings_for

kpi_app = typer.Typer(help="Look at one KPI.", no_args_is_help=True)
app.add_typer(kpi_app, name="kpi")

STATUS_STYLE = {
    "on_track": ("green", "●", "on track"),
    "at_risk": ("yellow", "▲", "at risk"),
    "off_track": ("red", "■", "off track"),
    "no_data": ("dim", "○", "no data"),
    "stale": ("magenta", "◌", "stale"),
}


class Format(StrEnum):
    """How listings are printed."""

    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table or json.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this day (YYYY-MM-DD).")
]


def status_text(status: str | None) -> Text:
    """A status as colour plus symbol plus word: never colour alone."""
    if status is None:
        return Text("partial", style="dim")
    style, symbol, word = STATUS_STYLE.get(status, ("", "?", status))
    return Text(f"{symbol} {word}", style=style)


def _engine() -> Any:
    from aligna.db import open_database

    return open_database(existing_database(settings_for()))


def _print_json(records: Any) -> None:
    console.print_json(json.dumps(records, default=str))


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"--as-of '{text}' is not a date, expected YYYY-MM-DD") from None


@app.command()
def evaluate(
    as_of: AsOfOption = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Evaluate everything, even when only some KPIs changed since the last run.",
        ),
    ] = False,
    output: FormatOption = Format.table,
) -> None:
    """Evaluate the KPIs that changed since the last evaluation (everything when needed):
    KPIs, objectives, initiatives, vision gaps, scorecards and exceptions."""
    from aligna.evaluate.service import evaluate as run_evaluation

    engine = _engine()
    with console.status("evaluating…") as status:
        summary = run_evaluation(
            engine,
            as_of=_as_of(as_of),
            full=full,
            progress=lambda stage: status.update(f"[bold]{stage}[/bold]…"),
        )
    if output is Format.json:
        _print_json(
            {
                "run": summary.run_id,
                "as_of": summary.as_of.isoformat(),
                "incremental": summary.incremental,
                "reason": summary.reason,
                "kpis": summary.kpis,
                "series": summary.series,
                "rows": summary.rows,
                "statuses": summary.statuses,
                "signals": summary.signals,
                "exceptions": summary.exceptions.__dict__ if summary.exceptions else None,
                "seconds": summary.seconds,
            }
        )
        return
    kind = "Incremental evaluation" if summary.incremental else "Evaluation"
    table = Table(
        title=f"{kind} {summary.run_id} as of {summary.as_of} ({summary.reason})",
        title_justify="left",
    )
    table.add_column("status")
    table.add_column("KPIs", justify="right")
    for name in STATUS_STYLE:
        if summary.statuses.get(name):
            table.add_row(status_text(name), str(summary.statuses[name]))
    console.print(table)
    changes = summary.exceptions
    console.print(
        f"{summary.kpis} KPIs, {summary.series} series, {summary.rows:,} periods evaluated, "
        f"{summary.signals} signals; exceptions: {changes.opened} opened, {changes.closed} "
        f"closed, {changes.still_open} open. "
        f"({summary.seconds['read']:.2f} s read, {summary.seconds['compute']:.2f} s compute, "
        f"{summary.seconds['write']:.2f} s write)"
        if changes
        else ""
    )


@app.command()
def status(
    unit: Annotated[str | None, typer.Option(help="A unit's KPIs and slices.")] = None,
    person: Annotated[str | None, typer.Option(help="The items of a person's scorecard.")] = None,
    output: FormatOption = Format.table,
) -> None:
    """Objectives and KPIs with their status, score, trend and forecast."""
    from aligna.db import session_scope
    from aligna.evaluate.read import NotFound, kpi_statuses, objective_statuses

    with session_scope(_engine()) as session:
        try:
            kpis = kpi_statuses(session, unit=unit, person=person)
        except NotFound as exc:
            raise fail(str(exc)) from None
        objectives = objective_statuses(session) if unit is None and person is None else []
    if output is Format.json:
        _print_json({"objectives": objectives, "kpis": kpis})
        return
    if objectives:
        table = Table(title="Objectives", title_justify="left")
        for column in ("objective", "status", "score", "coverage"):
            table.add_column(column, justify="right" if column in ("score", "coverage") else "left")
        for row in objectives:
            table.add_row(
                "  " * row["depth"] + row["name"],
                status_text(row["status"]),
                _number(row["score"], 0),
                f"{row['coverage'] * 100:.0f}%",
            )
        console.print(table)
    table = Table(title="KPIs", title_justify="left")
    for column in (
        "KPI",
        "unit",
        "period",
        "status",
        "actual",
        "target",
        "score",
        "trend",
        "forecast",
    ):
        table.add_column(column)
    for row in kpis:
        forecast = row["forecast"]
        table.add_row(
            row["name"],
            row["unit"] or "",
            row["period"],
            status_text(row["status"]),
            _number(row["actual"]),
            _number(row["target"]),
            _number(row["score"], 0),
            row["trend"] or "-",
            "-" if not forecast else ("will meet" if forecast["meets"] else "will miss"),
        )
    console.print(table)


@kpi_app.command("show")
def kpi_show(
    kpi: Annotated[str, typer.Argument(help="The KPI's id.")],
    unit: Annotated[str | None, typer.Option(help="A unit's slice.")] = None,
    output: FormatOption = Format.table,
) -> None:
    """A KPI's history: actual, target, red flag, XmR limits and signals, period by period."""
    from aligna.db import session_scope
    from aligna.evaluate.read import NotFound, kpi_history

    with session_scope(_engine()) as session:
        try:
            history = kpi_history(session, kpi, unit)
        except NotFound as exc:
            raise fail(str(exc)) from None
    if output is Format.json:
        _print_json(history)
        return
    table = Table(title=f"{kpi}{f' · {unit}' if unit else ''}", title_justify="left")
    for column in (
        "period",
        "actual",
        "target",
        "red flag",
        "status",
        "score",
        "trend",
        "limits",
        "signals",
    ):
        table.add_column(column)
    for row in history:
        limits = (
            f"{_number(row['lower_limit'])} .. {_number(row['upper_limit'])}"
            if row["centre"] is not None
            else "-"
        )
        signals = ", ".join(
            f"rule {s['rule']} {s['side']} ({'favourable' if s['favourable'] else 'adverse'})"
            for s in row["signals"]
        )
        table.add_row(
            row["period"] + (" (so far)" if row["partial"] else ""),
            _number(row["actual"]),
            _number(row["target"]),
            _number(row["red_flag"]),
            status_text(row["status"]),
            _number(row["score"], 0),
            row["trend"] or "-",
            limits,
            signals or "-",
        )
    console.print(table)


@app.command()
def gaps(output: FormatOption = Format.table) -> None:
    """The vision gap of every vision target: projection, covered, uncovered."""
    from aligna.db import session_scope
    from aligna.evaluate.read import gaps as read_gaps

    with session_scope(_engine()) as session:
        rows = read_gaps(session)
    if output is Format.json:
        _print_json(rows)
        return
    table = Table(title="Vision gaps", title_justify="left")
    for column in (
        "vision target",
        "target",
        "projection",
        "gap",
        "covered",
        "uncovered",
        "method",
        "warning",
    ):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            _number(row["target"]),
            _number(row["projection"]),
            _number(row["gap"]),
            _number(row["covered"]),
            _number(row["uncovered"]),
            row["method"],
            row["warning"] or "",
        )
    console.print(table)


@app.command()
def exceptions(
    include_closed: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
    output: FormatOption = Format.table,
) -> None:
    """Performance exceptions: off track, adverse signals, overdue milestones, stale data."""
    from aligna.db import session_scope
    from aligna.evaluate.read import exceptions as read_exceptions

    with session_scope(_engine()) as session:
        rows = read_exceptions(session, include_closed=include_closed)
    if output is Format.json:
        _print_json(rows)
        return
    table = Table(title="Performance exceptions", title_justify="left")
    for column in ("kind", "item", "period", "owner", "what", "opened", "closed"):
        table.add_column(column)
    for row in rows:
        item = row["kpi"] or row["initiative"] or ""
        if row["unit"]:
            item += f" · {row['unit']}"
        table.add_row(
            row["kind"].replace("_", " "),
            item,
            row["period"] or "",
            row["owner"] or "",
            row["detail"],
            row["opened_at"][:16].replace("T", " "),
            (row["closed_at"] or "")[:16].replace("T", " "),
        )
    console.print(table)


@app.command()
def explain(
    kpi: Annotated[str, typer.Argument(help="The KPI's id.")],
    period: Annotated[
        str | None, typer.Option(help="The period (default: the latest closed one).")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="A unit's slice.")] = None,
    as_of: AsOfOption = None,
) -> None:
    """How a KPI's status, score, trend, signals and forecast were computed, step by step.

    The day is the last evaluation's (what the stored numbers mean) unless --as-of says.
    """
    from sqlalchemy import select

    from aligna import model as m
    from aligna.db import session_scope
    from aligna.evaluate.explain_stored import explain_stored

    engine = _engine()
    with session_scope(engine) as session:
        kpi_id = session.execute(
            select(m.Kpi.id).where(m.Kpi.slug == kpi, m.Kpi.archived_at.is_(None))
        ).scalar()
        if kpi_id is None:
            raise fail(f"unknown KPI '{kpi}', expected the id of a KPI")
        unit_id = None
        if unit is not None:
            unit_id = session.execute(select(m.Unit.id).where(m.Unit.slug == unit)).scalar()
            if unit_id is None:
                raise fail(f"unknown unit '{unit}', expected the id of a unit")
    try:
        explanation = explain_stored(
            engine, kpi_id=kpi_id, unit_id=unit_id, period=period, as_of=_as_of(as_of)
        )
    except LookupError as exc:
        raise fail(f"KPI '{kpi}': {exc}") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    for line in explanation.lines:
        console.print(line, highlight=False, soft_wrap=True)
