"""Benchmark: validate + apply the demo project into SQLite and PostgreSQL, and plan unchanged.

Usage: python benchmarks/apply.py [--people 100000] [--seed 7] [--skip-postgres]

Each measured step runs in its own process, so the peak memory printed (max RSS) is that of
the step alone. Goals on a 2-core machine (issue 3): apply <= 60 s, plan <= 15 s, peak <= 2 GiB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(folder: str, people: int, seed: int) -> dict[str, Any]:
    from aligna.demo import build_demo_project

    started = time.perf_counter()
    build_demo_project(Path(folder), people=people, seed=seed)
    return {"build s": time.perf_counter() - started, "peak MiB": _peak_mib()}


def _apply(folder: str, url: str) -> dict[str, Any]:
    from aligna.db import open_database, session_scope
    from aligna.files.service import apply_project, validate_project

    started = time.perf_counter()
    validation = validate_project(Path(folder))
    validated = time.perf_counter()
    if not validation.ok:
        raise SystemExit(
            "the demo project is not valid:\n" + "\n".join(map(str, validation.problems))
        )
    engine = open_database(url)
    migrated = time.perf_counter()
    with session_scope(engine) as session:
        plan, _ = apply_project(session, validation, actor="benchmark", message="benchmark")
    done = time.perf_counter()
    return {
        "validate s": validated - started,
        "migrate s": migrated - validated,
        "apply s": done - migrated,
        "validate+apply s": done - started,
        "changes": len(plan.all()),
        "peak MiB": _peak_mib(),
    }


def _plan(folder: str, url: str) -> dict[str, Any]:
    from aligna.db import open_database, session_scope
    from aligna.files.service import plan_project, validate_project

    started = time.perf_counter()
    validation = validate_project(Path(folder))
    validated = time.perf_counter()
    engine = open_database(url)
    with session_scope(engine) as session:
        plan = plan_project(session, validation)
    done = time.perf_counter()
    if not plan.empty:
        raise SystemExit(f"plan against an unchanged database is not empty: {plan.all()[:3]}")
    return {
        "validate s": validated - started,
        "compare s": done - validated,
        "plan s": done - started,
        "peak MiB": _peak_mib(),
    }


def _in_child(function: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def _print(label: str, figures: dict[str, Any]) -> None:
    shown = ", ".join(
        f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items()
    )
    print(f"{label:<28} {shown}", flush=True)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    print(
        f"aligna apply benchmark: {options.people:,} people, seed {options.seed}, "
        f"Python {sys.version.split()[0]}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="aligna-bench-") as temporary:
        folder = str(Path(temporary) / "demo")
        _print("build demo project", _in_child(_build, folder, options.people, options.seed))
        sqlite_url = f"sqlite:///{Path(temporary) / 'bench.db'}"
        _print("sqlite: validate + apply", _in_child(_apply, folder, sqlite_url))
        _print("sqlite: plan (unchanged)", _in_child(_plan, folder, sqlite_url))
        if not options.skip_postgres:
            from aligna.throwaway_postgres import create_database, throwaway_cluster

            with throwaway_cluster() as server:
                url = create_database(server, "bench")
                _print("postgresql: validate + apply", _in_child(_apply, folder, url))
                _print("postgresql: plan (unchanged)", _in_child(_plan, folder, url))


if __name__ == "__main__":
    main()
