"""Benchmark: the web pages under load, served by `aligna serve` from SQLite and PostgreSQL.

Usage: python benchmarks/web.py [--people 100000] [--seed 7] [--dir DIR] [--fresh]
       [--workers 2] [--clients 20] [--seconds 60] [--max-requests 200000] [--think 0]
       [--sign-in-at-once 1] [--reconnect-every 0] [--skip-postgres]

1. Builds the demo organisation in --dir (default: a folder per size in the temp directory),
   applies, refreshes and evaluates it into its SQLite database and creates the demo's admin,
   manager and member sign-ins; a later run reuses all that (--fresh rebuilds it). For
   PostgreSQL, a throwaway cluster gets the same project applied, refreshed, evaluated and
   analysed. Each setup step runs in its own process and is timed apart from the figures.
2. Starts `aligna serve --workers W` as a separate process on a free port of 127.0.0.1 and
   waits for /ready. --workers takes a comma-separated list (e.g. 1,2,3) to compare.
3. Signs --clients clients in through the sign-in form (10% admin, 40% manager, 50% member),
   each with its own cookie and keep-alive connection, one after another (--sign-in-at-once
   20 connects them in one burst: uvicorn's workers then do not share them out, one worker
   takes every connection; even one at a time they may all land on one worker, which the
   CPU-by-process line shows and a warning says: --reconnect-every N makes each client
   reconnect after N requests). Then for --seconds they loop over a weighted mix, without pause
   (or --think seconds on average): My scorecard 30%, Alignment Map 15%, a KPI page 30%, a
   unit page 15%, search 10% (KPIs and units are those the client's own scorecard, map and a
   unit page link to; search 2-3 letters). Bounded by time and by --max-requests. Every
   response must be 200: failures are counted per page and status, and said loudly.
4. Prints, per page: requests, requests per second, p50/p95/p99 client-side latency of the
   200 responses, the server's own p50/p95 (its request log), errors, and
   [goal p95 <= 150 ms: met/NOT MET]; then the totals, latency by role, the CPU the server
   (per process) and this load generator used during the load (they share the machine's
   cores; so does anything else running), and the server processes' peak RSS (VmHWM) during
   the load and up to the end of the sign-ins (argon2 takes 64 MiB per sign-in in progress).
5. Stops the server (SIGTERM, then SIGKILL after a timeout), also on Ctrl+C or an error.

With N clients and no think time, a client waits for the others' requests: latency is about
N / throughput, so p95 <= 150 ms for 20 clients needs well over 130 requests per second.
Exits 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from web_load import MIX, Results, percentile, run_load

GOAL_P95_MS = 150.0
DEMO_MARKER = ".aligna-demo"  # what `aligna demo` writes: it can reuse our folder, and we its
READY_MARKER = ".bench-web-ready"  # the SQLite database is applied, refreshed and evaluated
BUILDING_MARKER = ".bench-web-building"  # an interrupted build: ours to remove
STOP_SECONDS = 20.0  # the server's graceful shutdown is 10 s
READY_SECONDS = 180.0
OURS = ("ALIGNA_PROJECT", "ALIGNA_DATABASE_URL")  # the benchmark says which project and database


# --- setup steps, each in its own process ------------------------------------------------------


def _peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build_step(folder: str, people: int, seed: int) -> dict[str, Any]:
    """Generate the demo project files and warehouse."""
    from aligna.demo import build_demo_project

    started = time.perf_counter()
    build_demo_project(Path(folder), people=people, seed=seed)
    return {"build s": time.perf_counter() - started, "peak MiB": _peak_mib()}


def _prepare_step(folder: str, url: str | None) -> dict[str, Any]:
    """Apply, refresh and evaluate the project into a database; create the demo sign-ins."""
    from sqlalchemy import text

    from aligna.db import open_database, session_scope
    from aligna.demo.logins import DEMO_PASSWORD, demo_logins
    from aligna.evaluate.service import evaluate_all
    from aligna.files.service import apply_project, validate_project
    from aligna.measure.refresh import organisation_today, refresh
    from aligna.settings import load_settings
    from aligna.web.context import resolve_secret

    settings = load_settings(Path(folder), database_url=url)
    # Make the session key now: several workers starting at once would each make their own.
    resolve_secret(settings)
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    validation = validate_project(Path(folder))
    if not validation.ok:
        raise SystemExit(f"the demo project in {folder} is not valid: {validation.problems[:3]}")
    engine = open_database(settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            apply_project(session, validation, actor="benchmark", message="web benchmark")
        figures["apply s"] = time.perf_counter() - started
        mark = time.perf_counter()
        refreshed = refresh(engine, settings)
        figures["refresh s"] = time.perf_counter() - mark
        figures["refresh failed"] = refreshed.failed
        mark = time.perf_counter()
        evaluate_all(engine, as_of=organisation_today(settings))
        figures["evaluate s"] = time.perf_counter() - mark
        if engine.dialect.name == "postgresql":
            # A live database's autovacuum would have analysed the tables long ago.
            mark = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
            figures["analyze s"] = time.perf_counter() - mark
        with session_scope(engine) as session:
            logins = demo_logins(session)
    finally:
        engine.dispose()
    figures["peak MiB"] = _peak_mib()
    figures["logins"] = {x.role: (x.email, DEMO_PASSWORD) for x in logins}
    return figures


def _logins_step(folder: str) -> dict[str, Any]:
    """The demo sign-ins of a database prepared earlier."""
    from aligna.db import open_database, session_scope
    from aligna.demo.logins import DEMO_PASSWORD, demo_logins
    from aligna.settings import load_settings

    engine = open_database(load_settings(Path(folder)).resolved_database_url())
    try:
        with session_scope(engine) as session:
            return {"logins": {x.role: (x.email, DEMO_PASSWORD) for x in demo_logins(session)}}
    finally:
        engine.dispose()


def _in_child(function: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def _print(label: str, figures: dict[str, Any]) -> None:
    shown = ", ".join(
        f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v:,}"
        for k, v in figures.items()
        if isinstance(v, int | float)
    )
    print(f"{label:<30} {shown}", flush=True)


def _marker(people: int, seed: int) -> str:
    return f"people = {people}\nseed = {seed}\n"  # as `aligna demo` writes it


def prepare_sqlite(folder: Path, people: int, seed: int, fresh: bool) -> dict[str, Any]:
    """Build (or reuse) the demo in folder with its SQLite database; return the sign-ins."""
    wanted = _marker(people, seed)
    demo = folder / DEMO_MARKER
    ready = folder / READY_MARKER
    if not fresh and ready.is_file() and ready.read_text() == wanted:
        print(f"reusing the demo in {folder} (--fresh rebuilds it)", flush=True)
        return _in_child(_logins_step, str(folder))["logins"]
    if folder.exists() and any(folder.iterdir()):
        if not (demo.is_file() or (folder / BUILDING_MARKER).is_file()):
            raise SystemExit(f"{folder} exists and is not a demo folder: choose another --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BUILDING_MARKER).write_text(wanted)
    _print("build demo project", _in_child(_build_step, str(folder), people, seed))
    demo.write_text(wanted)
    (folder / BUILDING_MARKER).unlink()
    figures = _in_child(_prepare_step, str(folder), None)
    _print("sqlite: apply/refresh/evaluate", figures)
    ready.write_text(wanted)
    return figures["logins"]


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The processes below pid (uvicorn's workers), from /proc."""
    below: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        below.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in below.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib(pid: int) -> float:
    """A process's peak resident size (VmHWM), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running `aligna serve` process."""

    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def pids(self) -> list[int]:
        """The server's processes: the main one and its workers."""
        return [self.process.pid, *_children(self.process.pid)]


@contextlib.contextmanager
def running_server(
    folder: Path, database_url: str | None, workers: int, log: Path
) -> Iterator[Server]:
    """Start `aligna serve` on a free loopback port, wait until ready, stop it afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env["ALIGNA_PROJECT"] = str(folder)
    if database_url:
        env["ALIGNA_DATABASE_URL"] = database_url
    aligna = Path(sys.executable).with_name("aligna")
    command = [str(aligna)] if aligna.exists() else [sys.executable, "-m", "aligna"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(server)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_SECONDS
    last = "no answer"
    with httpx.Client(base_url=server.base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {server.process.returncode}:\n{_tail(server.log)}"
                )
            try:
                answer = client.get("/ready")
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text[:200]}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.2)
    raise RuntimeError(f"the server was not ready after {READY_SECONDS:.0f} s ({last})")


def _stop(server: Server) -> None:
    """SIGTERM the server (uvicorn stops its workers), then SIGKILL what is left."""
    workers = _children(server.process.pid)
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"  the server did not stop within {STOP_SECONDS:.0f} s: killing it", flush=True)
            server.process.kill()
            server.process.wait()
    for pid in workers:  # only the workers this server started, by their id
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the load and its figures -----------------------------------------------------------------


def _goal(ok: bool) -> str:
    return f"[goal p95 <= {GOAL_P95_MS:.0f} ms: {'met' if ok else 'NOT MET'}]"


def _ms(seconds: float) -> str:
    return "    -" if seconds != seconds else f"{seconds * 1000:5.0f}"


def _line(
    label: str, latencies: list[float], errors: int, seconds: float, server: list[float]
) -> str:
    p95 = percentile(latencies, 95)
    done = len(latencies) + errors
    ok = bool(latencies) and p95 * 1000 <= GOAL_P95_MS and errors == 0
    return (
        f"  {label:<14} {done:>7,} req {done / seconds:6.1f} rps  "
        f"p50 {_ms(percentile(latencies, 50))}  p95 {_ms(p95)}  "
        f"p99 {_ms(percentile(latencies, 99))} ms  (server p50 {_ms(percentile(server, 50))}  "
        f"p95 {_ms(percentile(server, 95))} ms)  {errors:,} errors {_goal(ok)}"
    )


def report(results: Results, server: dict[str, list[float]]) -> int:
    """Print the figures per page and in total; return the number of failed requests.

    Client-side latencies are those of the 200 responses; the server's are its own request
    log's milliseconds (all responses), which leave out the time waiting to be read.
    """
    seconds = max(results.seconds, 1e-9)
    failed = 0
    for page in MIX:
        errors = sum(results.errors[page].values())
        failed += errors
        print(_line(page, results.latencies[page], errors, seconds, server[page]))
    every = [x for page in MIX for x in results.latencies[page]]
    served = [x for page in MIX for x in server[page]]
    print(_line("all pages", every, failed, seconds, served))
    print(
        "  by role, all pages: "
        + "; ".join(
            f"{role} {len(values):,} req p50 {_ms(percentile(values, 50)).strip()} "
            f"p95 {_ms(percentile(values, 95)).strip()} ms"
            for role, values in sorted(results.by_role.items())
        )
    )
    if failed:
        print(
            f"  !!! {failed:,} of {results.requests:,} REQUESTS FAILED: the figures are not valid"
        )
        for page in MIX:
            if results.errors[page]:
                statuses = ", ".join(f"{s} x{n:,}" for s, n in results.errors[page].most_common())
                print(f"  !!! {page}: {statuses}; first: {results.examples[page]}")
    return failed


@dataclass
class Usage:
    """What the machine and the server's processes had used at one moment."""

    at: float
    server_cpu: dict[int, float]  # by process
    client_cpu: float
    machine_busy: float

    @classmethod
    def now(cls, pids: list[int]) -> Usage:
        """Read it now."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            time.perf_counter(),
            {p: _cpu_seconds(p) for p in pids},
            own.ru_utime + own.ru_stime,
            _machine_busy_seconds(),
        )


def _reset_peak(pid: int) -> None:
    """Reset a process's VmHWM to its current RSS (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _role(pid: int, main: int) -> str:
    """What a server process is: the main one, a worker, or multiprocessing's helper."""
    if pid == main:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    return "resource tracker" if b"resource_tracker" in command else "worker"


def _page_of(path: str) -> str | None:
    if path == "/":
        return "My scorecard"
    if path == "/map":
        return "Alignment Map"
    if path.startswith("/kpis/") and "/explain" not in path:
        return "KPI page"
    if path.startswith("/units/"):
        return "Unit page"
    if path == "/search":
        return "Search"
    return None


def server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """The server's own milliseconds per page, from its request log lines after offset."""
    import json

    times: dict[str, list[float]] = {page: [] for page in MIX}
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            page = _page_of(str(record.get("path", "")))
            if record.get("event") == "request" and page is not None and "ms" in record:
                times[page].append(float(record["ms"]) / 1000)
    return times


def measure(
    label: str,
    folder: Path,
    database_url: str | None,
    logins: dict[str, tuple[str, str]],
    workers: int,
    options: argparse.Namespace,
) -> int:
    """Serve, load and report one backend with one worker count; return the failed requests."""
    logs = Path(tempfile.gettempdir()) / "aligna-bench-web-logs"
    logs.mkdir(exist_ok=True)
    log = logs / f"{label.lower()}-{workers}-workers.log"
    started = time.perf_counter()
    with running_server(folder, database_url, workers, log) as server:
        print(
            f"{label}, {workers} worker{'s' if workers > 1 else ''}: serving at {server.base} "
            f"(ready in {time.perf_counter() - started:.1f} s; log {log}); signing "
            f"{options.clients} clients in ({options.sign_in_at_once} at a time), then "
            f"{options.seconds:g} s of load",
            flush=True,
        )
        marks: dict[str, Any] = {}

        def at_start() -> None:
            """Between sign-ins and load: note the sign-in peaks, reset them, read the CPU."""
            pids = server.pids()
            marks["sign-in peaks"] = {p: _peak_rss_mib(p) for p in pids}
            for pid in pids:
                _reset_peak(pid)
            marks["log offset"] = log.stat().st_size
            marks["start"] = Usage.now(pids)

        results = asyncio.run(
            run_load(
                server.base,
                logins,
                clients=options.clients,
                seconds=options.seconds,
                max_requests=options.max_requests,
                seed=options.seed,
                sign_in_at_once=options.sign_in_at_once,
                think=options.think,
                reconnect_every=options.reconnect_every,
                at_start=at_start,
            )
        )
        pids = server.pids()
        end = Usage.now(pids)
        peaks = {pid: _peak_rss_mib(pid) for pid in pids}
        roles = {pid: _role(pid, server.process.pid) for pid in pids}
    failed = report(results, server_times(log, marks["log offset"]))
    begin: Usage = marks["start"]
    wall = end.at - begin.at
    by_process = {p: end.server_cpu[p] - begin.server_cpu.get(p, 0.0) for p in end.server_cpu}
    server_cpu = sum(by_process.values())
    client_cpu = end.client_cpu - begin.client_cpu
    other = max(0.0, end.machine_busy - begin.machine_busy - server_cpu - client_cpu)
    per = 1000 / max(results.requests, 1)
    print(
        f"  CPU during the load, in cores busy (of {os.cpu_count()}): server "
        f"{server_cpu / wall:.2f}, load generator {client_cpu / wall:.2f}, everything else on "
        f"the machine {other / wall:.2f}; CPU per request: server {server_cpu * per:.1f} ms, "
        f"load generator {client_cpu * per:.1f} ms"
    )
    print(
        "  server CPU by process, in cores: "
        + ", ".join(f"{roles[p]} {by_process[p] / wall:.2f}" for p in pids if roles[p] != "gone")
    )
    workers_cpu = [by_process[p] for p in pids if roles[p] == "worker"]
    if len(workers_cpu) > 1 and min(workers_cpu) < 0.25 * max(workers_cpu):
        print(
            "  !!! the workers did not share the load (the clients' keep-alive connections "
            "went to one worker): these figures are of fewer workers; --reconnect-every 10 "
            "spreads them"
        )
    signin = marks["sign-in peaks"]
    print(
        "  server peak RSS (VmHWM), MiB, during the load | up to the end of sign-in: "
        + "; ".join(
            f"{roles[p]} {peaks[p]:,.0f} | {signin.get(p, 0.0):,.0f}"
            for p in pids
            if roles[p] != "gone"
        )
        + f"; sum {sum(peaks.values()):,.0f} | {sum(signin.values()):,.0f}",
        flush=True,
    )
    return failed


# --- the run ------------------------------------------------------------------------------------


def _workers(text: str) -> list[int]:
    counts = [int(x) for x in text.split(",") if x.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("worker counts are positive integers, e.g. 2 or 1,2,3")
    return counts


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # so that every `finally` stops the server and the cluster


def main() -> None:
    """Set up, then load each backend with each worker count and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="demo folder (reused)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo")
    parser.add_argument("--workers", type=_workers, default=[2], help="e.g. 2 or 1,2,3")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--sign-in-at-once",
        type=int,
        default=1,
        help="clients signing in (and connecting) at the same time; 1: one after another",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a client waits before each request, on average (default 0: no pause)",
    )
    parser.add_argument(
        "--reconnect-every",
        type=int,
        default=0,
        help="each client closes its connection after this many requests (default 0: never)",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    for name in OURS:  # the setup steps too must use the demo folder's own database
        os.environ.pop(name, None)
    folder = (
        options.dir or Path(tempfile.gettempdir()) / f"aligna-bench-web-{options.people}"
    ).resolve()
    print(
        f"aligna web benchmark: {options.people:,} people, seed {options.seed}, "
        f"{options.clients} clients x {options.seconds:g} s (at most {options.max_requests:,} "
        f"requests, think time {options.think:g} s), "
        f"workers {','.join(map(str, options.workers))}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}",
        flush=True,
    )
    failed = 0
    try:
        started = time.perf_counter()
        logins = prepare_sqlite(folder, options.people, options.seed, options.fresh)
        print(f"sqlite: ready in {time.perf_counter() - started:.1f} s ({folder})", flush=True)
        for workers in options.workers:
            failed += measure("SQLite", folder, None, logins, workers, options)
        if options.skip_postgres:
            print("PostgreSQL: skipped (--skip-postgres)")
        else:
            failed += _postgres(folder, options)
    except KeyboardInterrupt:
        print("\ninterrupted: the server and any cluster were stopped", file=sys.stderr)
        raise SystemExit(130) from None
    if failed:
        print(f"!!! {failed:,} requests failed in all: this benchmark run is NOT valid")
        raise SystemExit(1)


def _postgres(folder: Path, options: argparse.Namespace) -> int:
    from aligna.throwaway_postgres import PostgresUnavailable, create_database, throwaway_cluster

    failed = 0
    try:
        with throwaway_cluster() as server:
            url = create_database(server, "bench")
            figures = _in_child(_prepare_step, str(folder), url)
            _print("postgresql: apply/refresh/evaluate", figures)
            for workers in options.workers:
                failed += measure("PostgreSQL", folder, url, figures["logins"], workers, options)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL: skipped ({exc})")
    return failed


if __name__ == "__main__":
    main()
