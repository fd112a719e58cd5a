"""`aligna demo`: build the demo organisation once, apply it, and show it."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

MARKER = ".aligna-demo"


def run_demo(
    console: Console,
    *,
    directory: Path,
    people: int,
    seed: int,
    fresh: bool,
    port: int = 8000,
) -> None:
    """Build (or reuse) the demo in a folder, apply it to its database, print summary and map."""
    from aligna.alignment_map import build_alignment_map
    from aligna.db import open_database, session_scope
    from aligna.demo.logins import DEMO_PASSWORD, demo_logins
    from aligna.evaluate.service import evaluate_all
    from aligna.files.service import apply_project, validate_project
    from aligna.measure.refresh import organisation_today, refresh
    from aligna.render import alignment_map, problem_lines
    from aligna.settings import load_settings

    directory = directory.resolve()
    is_demo = (directory / MARKER).is_file()
    if directory.exists() and any(directory.iterdir()) and not is_demo:
        raise FileExistsError(
            f"{directory} exists and is not an aligna demo folder; choose another --dir"
        )
    started = time.perf_counter()
    if is_demo and not fresh:
        built = (directory / MARKER).read_text()
        console.print(f"Reusing the demo in [bold]{directory}[/bold] (--fresh rebuilds it).")
        if built != _marker(people, seed):
            console.print(
                f"[yellow]It was built with {' and '.join(built.strip().splitlines())}; "
                f"--fresh rebuilds it with people = {people} and seed = {seed}.[/yellow]"
            )
    else:
        _build(console, directory, people=people, seed=seed)
    validation = validate_project(directory)
    if not validation.ok:
        for line in problem_lines(validation.problems):
            console.print(line, soft_wrap=True)
        raise ValueError("the generated demo project is not valid; this is a bug in aligna")
    settings = load_settings(directory)
    engine = open_database(settings.resolved_database_url())
    with (
        console.status("applying the demo project to its database…"),
        session_scope(engine) as session,
    ):
        plan, result = apply_project(
            session,
            validation,
            actor=settings.audit_actor,
            message="aligna demo",
            source=f"demo {directory}",
        )
    if not plan.empty:
        console.print(f"Applied the project as change set {result.change_set_id}.")
    with console.status("refreshing the KPIs from the warehouse…"):
        refreshed = refresh(engine, settings)
    with console.status("evaluating…"):
        evaluation = evaluate_all(engine, as_of=organisation_today(settings))
    with session_scope(engine) as session:
        console.print(alignment_map(build_alignment_map(session)))
        logins = demo_logins(session)
    statuses = ", ".join(
        f"{evaluation.statuses[name]} {name.replace('_', ' ')}"
        for name in ("on_track", "at_risk", "off_track", "stale", "no_data")
        if evaluation.statuses.get(name)
    )
    open_exceptions = evaluation.exceptions.still_open if evaluation.exceptions else 0
    console.print(
        f"Refreshed {refreshed.ok} KPIs from the warehouse ({refreshed.failed} failed); "
        f"evaluated as of {evaluation.as_of}: {statuses}; {evaluation.signals:,} signals; "
        f"{open_exceptions} open exceptions."
    )
    console.print(
        f"\nThe demo is in [bold]{directory}[/bold] "
        f"({time.perf_counter() - started:.1f} s): the project files, the database "
        "(aligna.db) and the warehouse (warehouse.duckdb).\n"
        f"Explore it: [bold]cd {directory}[/bold], then [bold]aligna status[/bold], "
        "[bold]aligna exceptions[/bold], [bold]aligna kpi show on-time-delivery[/bold], "
        "[bold]aligna gaps[/bold], [bold]aligna map[/bold]."
    )
    console.print(
        f"\nDemo sign-ins for http://127.0.0.1:{port} (password: [bold]{DEMO_PASSWORD}[/bold]):",
        soft_wrap=True,
    )
    table = Table()
    table.add_column("role")
    table.add_column("email")
    table.add_column("who")
    for login in logins:
        table.add_row(login.role, login.email, login.name)
    console.print(table)


def _marker(people: int, seed: int) -> str:
    return f"people = {people}\nseed = {seed}\n"


def _build(console: Console, directory: Path, *, people: int, seed: int) -> None:
    from aligna.demo import build_demo_project

    # Build beside the target and swap it in, so an interrupted build leaves nothing half-made.
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("building the demo organisation", total=1.0)

            def report(stage: str, fraction: float) -> None:
                progress.update(task, description=stage, completed=fraction)

            summary = build_demo_project(staging, people=people, seed=seed, progress=report)
        (staging / MARKER).write_text(_marker(people, seed))
        if directory.exists():
            shutil.rmtree(directory)
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    table = Table(title="Demo organisation", title_justify="left")
    table.add_column("what")
    table.add_column("how many", justify="right")
    for field in dataclasses.fields(summary):
        value = getattr(summary, field.name)
        if isinstance(value, int | float):
            table.add_row(field.name.replace("_", " "), f"{value:,}")
    console.print(table)
