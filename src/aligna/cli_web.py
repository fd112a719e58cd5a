"""The web commands: `aligna serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from aligna.cli import app, console, existing_database, settings_for


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each opens the database).")
    ] = 1,
    scheduler: Annotated[
        bool,
        typer.Option(
            help="Run the scheduled jobs in this aligna serve (one process elected among all "
            "on the database); --no-scheduler leaves them to others (see aligna jobs).",
        ),
    ] = True,
) -> None:
    """Serve the web application and the REST API (http://HOST:PORT, API docs at /api/docs).

    The scheduled jobs run inside it too, unless --no-scheduler or the setting scheduler=off
    (when aligna worker processes run them)."""
    from aligna.web.serve import serve as run

    settings = settings_for()
    existing_database(settings)
    console.print(
        f"aligna serves [bold]{settings.project or 'the database'}[/bold] at "
        f"[bold]http://{host}:{port}[/bold] (Ctrl+C stops it)."
    )
    run(settings, host=host, port=port, workers=workers, scheduler=scheduler)
