"""Job commands: `aligna jobs [list]`, `aligna jobs run NAME [--at TIME]`, `aligna worker`.

Registered on the main `aligna` app when aligna.cli is imported (see its last lines).
"""

from __future__ import annotations

import json
import socket
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from aligna.cli import app, console, existing_database, fail, settings_for
from aligna.cli_evaluate import Format, FormatOption

jobs_app = typer.Typer(
    help="The scheduled jobs: when they run, how their last runs went; run one by hand.",
    invoke_without_command=True,
)
app.add_typer(jobs_app, name="jobs")


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A time in the organisation's time zone, with the zone's abbreviation."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _engine() -> Any:
    from aligna.db import open_database

    return open_database(existing_database(settings_for()))


def _last_run(overview: Any, zone: ZoneInfo) -> Text:
    text = Text()
    if overview.running is not None:
        since = _when(overview.running.started_at, zone)
        text.append(f"▶ running since {since}\nby {overview.running.runner}", style="cyan")
        if overview.last_run is not None:
            text.append("\n")
    run = overview.last_run
    if run is None:
        if overview.running is None:
            text.append("never", style="dim")
        return text
    mark = Text("✔ ok", style="green") if run.ok else Text("✘ failed", style="red")
    text.append(f"{_when(run.started_at, zone)}, {_seconds(run.seconds)}, ")
    text.append(mark)
    text.append(f"\nby {run.runner}", style="dim")
    return text


def _print_overview(output_format: Format) -> None:
    from aligna.schedule.embedded import LEASE_NAME
    from aligna.schedule.lease import Lease
    from aligna.schedule.runs import job_overview

    settings = settings_for()
    engine = _engine()
    try:
        overviews = job_overview(engine, settings)
        holder = Lease(engine, LEASE_NAME, "").current()
    finally:
        engine.dispose()
    if output_format is Format.json:
        console.print_json(json.dumps([o.as_dict() for o in overviews]))
        return
    zone = ZoneInfo(settings.timezone)
    table = Table(title=f"Scheduled jobs (times in {settings.timezone})", show_lines=True)
    for column in ("job", "schedule", "last run", "next run", "last error"):
        table.add_column(column, overflow="fold")
    for overview in overviews:
        schedule = Text(overview.cron)
        if overview.schedule:
            schedule.append(f"\n{overview.schedule}", style="dim")
        error = Text("-", style="dim")
        if overview.last_error is not None:
            error = Text(f"{_when(overview.last_error.started_at, zone)}\n", style="red")
            error.append(overview.last_error.error[:300])
        upcoming = (
            Text(_when(overview.next_run, zone))
            if overview.next_run
            else Text(overview.problem or "-", style="red")
        )
        table.add_row(
            Text(overview.name, style="bold") + Text(f"\n{overview.description}", style="dim"),
            schedule,
            _last_run(overview, zone),
            upcoming,
            error,
        )
    console.print(table)
    if holder is not None:
        console.print(
            f"Embedded scheduler: running in {holder[0]} (lease until {_when(holder[1], zone)}).",
            highlight=False,
        )
    elif settings.scheduler == "off":
        console.print("Embedded scheduler: off (aligna worker processes run the jobs).")
    else:
        console.print("Embedded scheduler: not running (no aligna serve holds the lease).")


@jobs_app.callback()
def jobs_default(ctx: typer.Context, output_format: FormatOption = Format.table) -> None:
    """The scheduled jobs (as `aligna jobs list`): schedule, last run, next run, last error."""
    if ctx.invoked_subcommand is None:
        _print_overview(output_format)


@jobs_app.command(name="list")
def list_jobs(output_format: FormatOption = Format.table) -> None:
    """Every job: its schedule, last run (when, how long, ok or failed, by whom), next run
    and last error."""
    _print_overview(output_format)


@jobs_app.command(name="run")
def run_command(
    name: Annotated[str, typer.Argument(help="The job to run (see aligna jobs).")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Run as if at this time: 2026-12-03T09:00 (organisation's time zone), "
            "2026-12-03, or an offset from now (+8d, +12h, +30m).",
        ),
    ] = None,
    output_format: FormatOption = Format.table,
) -> None:
    """Run one job now, in this process (or at a simulated time), recorded like any run."""
    from aligna.clock import ClockError, parse_at
    from aligna.jobs import JOBS
    from aligna.schedule.runs import run_job

    if name not in JOBS:
        raise fail(f"unknown job {name!r}; the jobs are: {', '.join(sorted(JOBS)) or 'none'}")
    settings = settings_for()
    try:
        moment = parse_at(at, timezone=settings.timezone) if at else None
    except ClockError as exc:
        raise fail(str(exc)) from None
    engine = _engine()
    try:
        with console.status(f"running {name}…"):
            record = run_job(
                name,
                engine=engine,
                settings=settings,
                now=moment,
                runner=f"cli:{socket.gethostname()}",
            )
    finally:
        engine.dispose()
    if output_format is Format.json:
        console.print_json(json.dumps({"job": name, **record.as_dict()}, default=str))
    else:
        zone = ZoneInfo(settings.timezone)
        when = f" as of {_when(moment, zone)}" if moment else ""
        for key, value in record.summary.items():
            console.print(f"  {key}: {value}", highlight=False)
        if record.ok:
            console.print(f"[green]✔[/green] {name}{when}: ok in {_seconds(record.seconds)}")
    if not record.ok:
        raise fail(f"{name} failed: {record.error}")


@app.command()
def worker(
    concurrency: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="How many jobs this worker runs at once (different jobs only)."
        ),
    ] = 2,
) -> None:
    """Run the scheduled jobs on PostgreSQL with Procrastinate until SIGTERM or Ctrl+C; safe to
    run several (each job runs once per tick, never twice at once)."""
    import logging.config

    from sqlalchemy.engine import make_url

    from aligna.schedule.worker import WorkerError, run_worker
    from aligna.web.serve import log_config

    settings = settings_for()
    url = settings.resolved_database_url()
    if make_url(url).get_backend_name() != "postgresql":
        raise fail("aligna worker needs PostgreSQL; with SQLite the jobs run inside aligna serve")
    existing_database(settings)
    config = log_config("info")
    config["loggers"]["procrastinate"] = {"handlers": ["default"], "level": "WARNING"}
    config["loggers"]["procrastinate"]["propagate"] = False
    logging.config.dictConfig(config)
    console.print(
        f"aligna worker runs the jobs of [bold]{settings.project or 'the database'}[/bold] "
        "(Ctrl+C stops it after the runs in progress)."
    )
    try:
        run_worker(settings, concurrency=concurrency)
    except WorkerError as exc:
        raise fail(str(exc)) from None
