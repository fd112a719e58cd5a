"""The aligna command: thin Typer commands that parse, call a service and print."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from aligna import __version__
from aligna.settings import Settings, SettingsError, find_project, load_settings

app = typer.Typer(
    name="aligna",
    help="aligna: an engine of alignment. Mission, vision, KPIs, initiatives and scorecards "
    "with a line of sight for everyone.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
TEMPLATES = Path(__file__).parent / "files" / "templates"


class State:
    """Options shared by every command."""

    project: Path | None = None
    database: str | None = None


state = State()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error without a traceback and return the exit to raise."""
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def settings_for(project: Path | None = None) -> Settings:
    """Settings for a command, from --project/--database, ALIGNA_* and aligna.toml."""
    try:
        return load_settings(project or state.project, database_url=state.database)
    except SettingsError as exc:
        raise fail(str(exc)) from None


def project_folder(directory: Path | None) -> Path:
    """The project folder a command works on: the argument, --project, or the one found."""
    if directory is not None:
        return directory.resolve()
    if state.project is not None:
        return state.project.resolve()
    found = find_project()
    if found is None:
        raise fail(
            "no project found: run this inside a project folder (one holding aligna.toml), "
            "give the folder, or use --project"
        )
    return found


def existing_database(settings: Settings) -> str:
    """The URL of a database that must already exist (SQLite: the file is there)."""
    if settings.project is None and state.database is None:
        raise fail("no project found: run inside a project folder, or give --project or --database")
    url = settings.resolved_database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise fail(f"no database yet at {url.removeprefix('sqlite:///')}: run aligna apply first")
    return url


def version_callback(value: bool) -> None:
    """Print the version and stop."""
    if value:
        console.print(f"aligna {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            "-p",
            help="The project folder (default: found from here up).",
            envvar="ALIGNA_PROJECT",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Application database URL (default: from aligna.toml).",
            envvar="ALIGNA_DATABASE_URL",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Options for every command."""
    state.project = project
    state.database = database


def _stage(status: object) -> object:
    def update(stage: str) -> None:
        status.update(f"[bold]{stage}[/bold]…")  # type: ignore[attr-defined]

    return update


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the project in.")],
    force: Annotated[
        bool, typer.Option(help="Write into a folder that already has a project.")
    ] = False,
) -> None:
    """Start a project: a commented example of every kind of file, ready to edit."""
    if (directory / "aligna.toml").exists() and not force:
        raise fail(f"{directory} already holds a project (aligna.toml); use --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for template in sorted(TEMPLATES.iterdir()):
        if template.is_file():
            shutil.copyfile(template, directory / template.name)
            written.append(template.name)
    (directory / ".gitignore").write_text("aligna.db*\n*.duckdb\n*.duckdb.wal\n")
    console.print(f"Created a project in [bold]{directory}[/bold]: {', '.join(written)}")
    console.print(
        f"Next: edit the files, then [bold]aligna validate {directory}[/bold] and "
        f"[bold]aligna apply {directory} -m 'first version'[/bold]. "
        "The format is described in docs/project-files.md."
    )


@app.command()
def validate(
    directory: Annotated[
        Path | None, typer.Argument(help="Project folder (default: this one).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
) -> None:
    """Check a project folder and report every problem as file:line:column: field: message."""
    from aligna.files.service import validate_project
    from aligna.render import problem_lines

    folder = project_folder(directory)
    with console.status("validating…") as status:
        validation = validate_project(folder, _stage(status))
    for line in problem_lines(validation.problems):
        console.print(line, soft_wrap=True, highlight=False)
    errors_found = len(validation.problems.errors)
    warnings_found = len(validation.problems.warnings)
    if errors_found or (strict and warnings_found):
        console.print(
            f"[red]{_count(errors_found, 'error')}, {_count(warnings_found, 'warning')}[/red] "
            f"in {folder}"
        )
        raise typer.Exit(1)
    console.print(f"[green]valid[/green]: {folder} ({_count(warnings_found, 'warning')})")


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _valid_or_exit(folder: Path, status: object, strict: bool = False):  # type: ignore[no-untyped-def]
    from aligna.files.service import validate_project
    from aligna.render import problem_lines

    validation = validate_project(folder, _stage(status))
    problems = validation.problems
    if problems.errors or (strict and problems.warnings):
        status.stop()  # type: ignore[attr-defined]
        for line in problem_lines(problems):
            console.print(line, soft_wrap=True, highlight=False)
        raise fail(f"{_count(len(problems.errors), 'error')} in {folder}; nothing was changed")
    return validation


@app.command()
def plan(
    directory: Annotated[
        Path | None, typer.Argument(help="Project folder (default: this one).")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every change.")] = False,
    detailed_exitcode: Annotated[
        bool, typer.Option(help="Exit 2 when there are changes, 0 when none.")
    ] = False,
) -> None:
    """Show what applying the project would add, change and remove, per kind."""
    from aligna.db import open_database, session_scope
    from aligna.files.service import plan_project
    from aligna.render import plan_details, plan_summary

    folder = project_folder(directory)
    with console.status("planning…") as status:
        validation = _valid_or_exit(folder, status)
        settings = settings_for(folder)
        engine = open_database(settings.resolved_database_url())
        with session_scope(engine) as session:
            result = plan_project(session, validation, _stage(status))
    if result.empty:
        console.print("[green]No changes.[/green] The database matches the project files.")
        return
    console.print(plan_summary(result))
    console.print(plan_details(result, None if show_all else 50))
    if detailed_exitcode:
        raise typer.Exit(2)


@app.command()
def apply(
    directory: Annotated[
        Path | None, typer.Argument(help="Project folder (default: this one).")
    ] = None,
    message: Annotated[
        str, typer.Option("--message", "-m", help="Why: recorded in the audit log.")
    ] = "",
    strict: Annotated[bool, typer.Option(help="Refuse to apply when there are warnings.")] = False,
) -> None:
    """Apply the project files to the database: one transaction, all or nothing, audited."""
    from aligna.db import open_database, session_scope
    from aligna.files.service import apply_project
    from aligna.render import plan_summary

    if not message.strip():
        raise fail("say why with --message/-m; it is recorded in the audit log")
    folder = project_folder(directory)
    started = time.perf_counter()
    with console.status("applying…") as status:
        validation = _valid_or_exit(folder, status, strict)
        settings = settings_for(folder)
        engine = open_database(settings.resolved_database_url())
        try:
            with session_scope(engine) as session:
                result_plan, result = apply_project(
                    session,
                    validation,
                    actor=settings.audit_actor,
                    message=message,
                    source=f"apply {folder}",
                    progress=_stage(status),
                )
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise fail(
                f"the database refused the apply, so nothing was changed: {reason}"
            ) from None
    if result_plan.empty:
        console.print("[green]No changes.[/green] The database already matches the project.")
        return
    console.print(plan_summary(result_plan))
    console.print(
        f"[green]Applied[/green] as change set {result.change_set_id} by {settings.audit_actor} "
        f"in {time.perf_counter() - started:.1f} s."
    )


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write the project files into.")],
) -> None:
    """Write the database back as project files (export -> apply -> export is identical)."""
    from aligna.db import open_database, session_scope
    from aligna.files.service import export_project

    settings = settings_for()
    url = existing_database(settings)
    with console.status("exporting…") as status:
        engine = open_database(url)
        with session_scope(engine) as session:
            written = export_project(
                session, directory, name=settings.name, progress=_stage(status)
            )
    console.print(f"Wrote {len(written)} files to [bold]{directory}[/bold]: {', '.join(written)}")


@app.command(name="map")
def show_map(
    unit: Annotated[
        str | None, typer.Option(help="Only the KPIs and initiatives of a unit's subtree.")
    ] = None,
) -> None:
    """The Alignment Map in the terminal: foundation, process KPIs, initiatives, owners."""
    from aligna.alignment_map import build_alignment_map
    from aligna.db import open_database, session_scope
    from aligna.render import alignment_map

    engine = open_database(existing_database(settings_for()))
    with session_scope(engine) as session:
        try:
            the_map = build_alignment_map(session, unit=unit)
        except LookupError as exc:
            raise fail(str(exc)) from None
    console.print(alignment_map(the_map))


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=20, max=100_000, help="How many people.")] = 200,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same company.")
    ] = 7,
    directory: Annotated[Path, typer.Option("--dir", help="Where to build it.")] = Path(
        "aligna-demo"
    ),
    fresh: Annotated[bool, typer.Option(help="Rebuild even if the folder holds a demo.")] = False,
    serve: Annotated[
        bool, typer.Option(help="Serve it in the browser afterwards (--no-serve only builds).")
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to serve on.")] = 8000,
) -> None:
    """Build the demo organisation (project files, warehouse, database), evaluate it, show its
    map, and serve it at http://127.0.0.1:8000 with three demo sign-ins."""
    from aligna.demo.run import run_demo

    try:
        run_demo(console, directory=directory, people=people, seed=seed, fresh=fresh, port=port)
    except (ValueError, FileExistsError) as exc:
        raise fail(str(exc)) from None
    if not serve:
        console.print(f"Serve it later: [bold]aligna --project {directory} serve[/bold]")
        return
    from aligna.settings import load_settings
    from aligna.web.serve import serve as run

    console.print(
        f"Serving the demo at [bold]http://127.0.0.1:{port}[/bold]: open it in a browser "
        "(Ctrl+C stops it)."
    )
    run(load_settings(directory.resolve()), host="127.0.0.1", port=port)


def main() -> None:
    """Entry point of the aligna command."""
    app()


# --- measure commands ---


@app.command(name="refresh")
def refresh_command(
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="Only this KPI (repeat the option for several)."),
    ] = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due", help="Only the KPIs that are due (see docs/measure.md for the rule)."
        ),
    ] = False,
    connection: Annotated[
        str | None, typer.Option("--connection", help="Only the KPIs of this connection.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every KPI, not only the failed ones.")
    ] = False,
) -> None:
    """Run the KPI queries against the warehouse, read-only, and keep the values they return.

    Exits 1 when any KPI failed; the others are refreshed all the same.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from aligna.db import open_database
    from aligna.measure.errors import RefreshError
    from aligna.measure.refresh import refresh
    from aligna.measure.render import refresh_results, refresh_summary

    settings = settings_for()
    engine = open_database(existing_database(settings))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("refreshing", total=None)

        def report(done: int, total: int, result: object) -> None:
            last = getattr(result, "kpi", None)
            bar.update(task, total=total, completed=done, description=last or "refreshing")

        try:
            summary = refresh(
                engine,
                settings,
                kpis=kpi or None,
                due=due,
                connection=connection,
                progress=report,
            )
        except RefreshError as exc:
            raise fail(str(exc)) from None
        finally:
            engine.dispose()
    if not summary.results:
        console.print("Nothing to refresh: no KPI is due." if due else "Nothing to refresh.")
        return
    console.print(refresh_summary(summary))
    listed = summary.results if show_all else [r for r in summary.results if not r.ok]
    if listed:
        console.print(refresh_results(listed, None if show_all else 50))
    if summary.failed:
        raise fail(
            f"{_count(summary.failed, 'KPI')} failed; their errors are kept and shown as stale"
        )


@app.command(name="record", context_settings={"ignore_unknown_options": True})
def record_command(
    kpi: Annotated[str | None, typer.Argument(help="The id of a manual KPI.")] = None,
    period: Annotated[
        str | None,
        typer.Argument(
            help="The period at the KPI's frequency: 2026-03-15, 2026-W09, 2026-03, 2026-Q1."
        ),
    ] = None,
    value: Annotated[str | None, typer.Argument(help="The value, a number.")] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="The unit, for a KPI broken down by unit.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note kept with the value.")] = "",
    import_file: Annotated[
        Path | None,
        typer.Option(
            "--import",
            help="Record every value of a CSV file with columns kpi, period, unit, value, note.",
        ),
    ] = None,
) -> None:
    """Record a value of a manual KPI, or import many from a CSV file: all or nothing, audited."""
    from aligna.db import open_database, session_scope
    from aligna.measure.record import (
        ManualValue,
        RecordError,
        read_import_file,
        record_values,
    )
    from aligna.measure.refresh import organisation_today
    from aligna.measure.render import record_summary

    given = [a for a in (kpi, period, value) if a is not None]
    if import_file is not None and given:
        raise fail("give either KPI PERIOD VALUE or --import FILE, not both")
    if import_file is None and len(given) != 3:
        raise fail("give KPI PERIOD VALUE (e.g. aligna record nps 2026-Q1 41), or --import FILE")
    settings = settings_for()
    url = existing_database(settings)
    try:
        if import_file is not None:
            values = read_import_file(import_file, str(import_file))
            source, origin = "import", f"import {import_file}"
            message = f"record {_count(len(values), 'value')} from {import_file.name}"
        else:
            assert kpi is not None and period is not None and value is not None
            values = [ManualValue(kpi, period, value, unit or "", note)]
            source, origin = "manual", "record"
            message = f"record {kpi} {period}{f' {unit}' if unit else ''} {value}"
        engine = open_database(url)
        try:
            with session_scope(engine) as session:
                result = record_values(
                    session,
                    values,
                    actor=settings.audit_actor,
                    message=message,
                    source=source,
                    origin=origin,
                    today=organisation_today(settings),
                )
        finally:
            engine.dispose()
    except RecordError as exc:
        for problem in exc.problems:
            errors.print(problem, style="red", soft_wrap=True, highlight=False)
        raise fail(f"{_count(len(exc.problems), 'problem')}; nothing was recorded") from None
    console.print(record_summary(result), highlight=False)


# --- evaluation commands (aligna/cli_evaluate.py registers them on `app`) ---
from aligna import cli_accounts as _account_commands  # noqa: E402, F401
from aligna import cli_channels as _channel_commands  # noqa: E402, F401
from aligna import cli_evaluate as _evaluation_commands  # noqa: E402, F401
from aligna import cli_jobs as _job_commands  # noqa: E402, F401
from aligna import cli_web as _web_commands  # noqa: E402, F401
