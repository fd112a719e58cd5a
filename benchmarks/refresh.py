"""Benchmark: refresh every KPI of the demo from its DuckDB warehouse, into SQLite and PostgreSQL.

Usage: python benchmarks/refresh.py [--people 1000] [--seed 7] [--concurrency 4]
                                    [--write-rows 100000] [--skip-postgres]

Prints, per application database: the first refresh (every value new), a second one (nothing
changed, nothing written), queries per second, rows read, values written and the time spent
writing. Then the write path alone: --write-rows values of one KPI stored by the observation
store (SQLAlchemy Core executemany, what refresh uses) against an ADBC bulk ingest of the same
rows, the alternative DESIGN.md names.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _build(folder: Path, people: int, seed: int) -> float:
    from aligna.demo import build_demo_project

    started = time.perf_counter()
    build_demo_project(folder, people=people, seed=seed)
    return time.perf_counter() - started


def _apply(folder: Path, url: str) -> Any:
    from aligna.db import open_database, session_scope
    from aligna.files.service import apply_project, validate_project

    validation = validate_project(folder)
    if not validation.ok:
        raise SystemExit("the demo project is not valid")
    engine = open_database(url)
    with session_scope(engine) as session:
        apply_project(session, validation, actor="benchmark", message="benchmark")
    return engine


def _refresh(engine: Any, folder: Path, concurrency: int) -> dict[str, Any]:
    from aligna.measure import refresh
    from aligna.settings import load_settings

    settings = load_settings(folder, refresh_concurrency=concurrency)
    summary = refresh(engine, settings, actor="benchmark")
    failed = [r for r in summary.results if not r.ok]
    if failed:
        print(f"  ! {len(failed)} KPIs failed, first: {failed[0].kpi}: {failed[0].error}")
    kpis = len(summary.results)
    return {
        "KPIs": kpis,
        "failed": summary.failed,
        "total s": summary.seconds,
        "queries/s": kpis / summary.seconds if summary.seconds else 0.0,
        "rows read": summary.rows,
        "values written": summary.new_values + summary.revised_values,
        "write s": summary.write_seconds,
    }


def _write_path(engine: Any, rows: int) -> dict[str, Any]:
    """Store `rows` values of one KPI three ways; each on a KPI of its own."""
    import pyarrow as pa
    from sqlalchemy import insert, select

    from aligna.measure.contract import Reading
    from aligna.measure.store import OBSERVATION, store_readings
    from aligna.model import Kpi

    with engine.connect() as connection:
        kpi_ids = connection.execute(select(Kpi.id).order_by(Kpi.id).limit(3)).scalars().all()
    taken = datetime.now(UTC)
    periods = [f"b{i:07d}" for i in range(rows)]  # the store does not read periods
    readings = [Reading(p, float(i), None) for i, p in enumerate(periods)]
    result: dict[str, Any] = {"rows": rows}

    started = time.perf_counter()
    with engine.begin() as connection:
        store_readings(
            connection, kpi_ids[0], readings, taken_at=taken, source="query", actor="benchmark"
        )
    result["store_readings s"] = time.perf_counter() - started

    def row_dicts(kpi_id: int) -> list[dict[str, Any]]:
        return [
            {
                "kpi_id": kpi_id,
                "unit_id": None,
                "period": p,
                "value": float(i),
                "revision": 1,
                "taken_at": taken,
                "superseded_at": None,
                "source": "query",
                "actor": "benchmark",
                "note": "",
            }
            for i, p in enumerate(periods)
        ]

    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(OBSERVATION), row_dicts(kpi_ids[1]))
    result["core insert s"] = time.perf_counter() - started

    table = pa.table(
        {
            "kpi_id": pa.array([kpi_ids[2]] * rows, pa.int32()),
            "period": pa.array(periods),
            "value": pa.array([float(i) for i in range(rows)], pa.float64()),
            "revision": pa.array([1] * rows, pa.int32()),
            "taken_at": pa.array([taken] * rows, pa.timestamp("us", tz="UTC")),
            "source": pa.array(["query"] * rows),
            "actor": pa.array(["benchmark"] * rows),
            "note": pa.array([""] * rows),
        }
    )
    started = time.perf_counter()
    with _adbc(engine) as connection:
        with connection.cursor() as cursor:
            cursor.adbc_ingest("observation", table, mode="append")
        connection.commit()
    result["adbc ingest s"] = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _adbc(engine: Any) -> Iterator[Any]:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        connection = driver.connect(url.database)
    else:
        import adbc_driver_postgresql.dbapi as driver

        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = driver.connect(uri)
    try:
        yield connection
    finally:
        connection.close()


def _print(title: str, figures: dict[str, Any]) -> None:
    cells = []
    for key, value in figures.items():
        cells.append(f"{key} {value:,.2f}" if isinstance(value, float) else f"{key} {value:,}")
    print(f"  {title:<24} " + " | ".join(cells))


def _run(label: str, folder: Path, url: str, args: argparse.Namespace) -> None:
    print(f"{label}:")
    started = time.perf_counter()
    engine = _apply(folder, url)
    print(f"  {'apply':<24} {time.perf_counter() - started:.2f} s")
    _print("refresh (all new)", _refresh(engine, folder, args.concurrency))
    _print("refresh (unchanged)", _refresh(engine, folder, args.concurrency))
    if args.write_rows:
        _print("write path", _write_path(engine, args.write_rows))
    engine.dispose()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--write-rows", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aligna-refresh-") as tmp:
        folder = Path(tmp) / "demo"
        seconds = _build(folder, args.people, args.seed)
        print(f"demo: {args.people:,} people, built in {seconds:.1f} s")
        _run("SQLite", folder, f"sqlite:///{Path(tmp) / 'aligna.db'}", args)
        if not args.skip_postgres:
            from aligna.throwaway_postgres import create_database, throwaway_cluster

            try:
                with throwaway_cluster() as server:
                    _run("PostgreSQL", folder, create_database(server, "bench"), args)
            except Exception as exc:  # no server binaries: say so, keep the SQLite figures
                print(f"PostgreSQL: skipped ({exc})", file=sys.stderr)


if __name__ == "__main__":
    main()
