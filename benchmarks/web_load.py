"""The load generator of benchmarks/web.py: signed-in clients looping over a weighted page mix.

Each client signs in through the form (its CSRF token and cookie), finds the KPIs and units it
may open on its own scorecard, the Alignment Map and a unit page (which also warms the server
up, untimed), then requests pages without pause until the time or the request budget is spent.
Only 127.0.0.1 is ever asked.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

# The pages of the issue, with their share of the requests (real traffic: mostly scorecards
# and KPIs).
MIX: dict[str, int] = {
    "My scorecard": 30,
    "Alignment Map": 15,
    "KPI page": 30,
    "Unit page": 15,
    "Search": 10,
}
SEARCH_TERMS = (
    "an", "er", "in", "on", "re", "st", "ma", "co", "al", "de", "sal", "cus", "pro", "ost",
    "ret", "emp", "del", "rev", "tim", "sup", "qua", "ris", "mar", "ops", "eng", "lea",
)  # fmt: skip
KPI_LINK = re.compile(r'href="(/kpis/[^"/?#]+(?:\?unit=[^"#&]+)?)"')
UNIT_LINK = re.compile(r'href="(/units/[^"/?#]+)"')
UNIT_OPTION = re.compile(r'<option value="([^"/?#]+)"')  # the map's unit filter
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
KEEP_LINKS = 60  # per client and kind: plenty of variety, bounded memory
REQUEST_TIMEOUT = 30.0  # seconds: a request slower than this counts as failed


@dataclass
class Client:
    """One signed-in browser: its cookie jar and the pages it may open."""

    role: str
    http: httpx.AsyncClient
    rng: random.Random
    kpis: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)


@dataclass
class Results:
    """Client-side latencies (seconds) of the 200 responses, and the failures, per page."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in MIX})
    errors: dict[str, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in MIX})
    examples: dict[str, str] = field(default_factory=dict)  # the first failure of each page
    by_role: dict[str, list[float]] = field(default_factory=dict)  # 200 latencies, all pages
    seconds: float = 0.0
    requests: int = 0


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of values, or NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def roles_for(clients: int) -> list[str]:
    """Who the clients are: 10% admins, 40% managers, 50% members (at least one admin)."""
    admins = max(1, round(clients * 0.1))
    managers = round(clients * 0.4)
    return ["admin"] * admins + ["manager"] * managers + ["member"] * (clients - admins - managers)


def _unique(found: list[str], into: list[str]) -> None:
    for link in found:
        if link not in into and len(into) < KEEP_LINKS:
            into.append(link)


async def sign_in(base: str, role: str, email: str, password: str, seed: int) -> Client:
    """A client signed in through the sign-in form, with its links found (and the server warm)."""
    http = httpx.AsyncClient(
        base_url=base,
        timeout=REQUEST_TIMEOUT,
        follow_redirects=False,
        headers={"user-agent": f"aligna-web-benchmark ({role})"},
    )
    try:
        form = await http.get("/login")
        token = CSRF_FIELD.search(form.text)
        if form.status_code != 200 or token is None:
            raise RuntimeError(f"GET /login answered {form.status_code} without a CSRF token")
        answer = await http.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token.group(1), "next": "/"},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"signing in as {email} answered {answer.status_code}")
        client = Client(role, http, random.Random(seed))
        for path in ("/", "/map"):
            page = await http.get(path)
            if page.status_code != 200:
                raise RuntimeError(f"{role} {email}: GET {path} answered {page.status_code}")
            _unique(KPI_LINK.findall(page.text), client.kpis)
            _unique(UNIT_LINK.findall(page.text), client.units)
            if path == "/map":
                options = UNIT_OPTION.findall(page.text)
                picked = client.rng.sample(options, min(len(options), KEEP_LINKS // 2))
                _unique([f"/units/{slug}" for slug in picked], client.units)
        if client.units:  # a unit page links its sub-units and its KPIs
            page = await http.get(client.units[0])
            _unique(UNIT_LINK.findall(page.text), client.units)
            _unique(KPI_LINK.findall(page.text), client.kpis)
        if not client.kpis or not client.units:
            raise RuntimeError(
                f"{role} {email} sees {len(client.kpis)} KPIs and {len(client.units)} units "
                "on their scorecard, the map and a unit page: nothing to ask for"
            )
        return client
    except BaseException:
        await http.aclose()
        raise


def _next_url(client: Client, page: str) -> str:
    rng = client.rng
    if page == "My scorecard":
        return "/"
    if page == "Alignment Map":
        return "/map"
    if page == "KPI page":
        return rng.choice(client.kpis)
    if page == "Unit page":
        return rng.choice(client.units)
    return f"/search?q={rng.choice(SEARCH_TERMS)}"


class Budget:
    """The requests still allowed (the tasks share one event loop: no lock needed)."""

    def __init__(self, requests: int) -> None:
        self.left = requests

    def take(self) -> bool:
        """Whether one more request may go out (and count it)."""
        if self.left <= 0:
            return False
        self.left -= 1
        return True


async def _loop(
    client: Client,
    deadline: float,
    budget: Budget,
    results: Results,
    think: float,
    reconnect_every: int,
) -> None:
    pages, weights = list(MIX), list(MIX.values())
    sent = 0
    while time.perf_counter() < deadline and budget.take():
        sent += 1
        # "Connection: close" ends the keep-alive connection after this response: the next
        # request connects again, to whichever worker accepts it.
        close = reconnect_every > 0 and sent % reconnect_every == 0
        headers = {"connection": "close"} if close else None
        if think > 0:  # a person reading the page: exponential, `think` seconds on average
            pause = client.rng.expovariate(1 / think)
            if time.perf_counter() + pause >= deadline:
                break
            await asyncio.sleep(pause)
        page = client.rng.choices(pages, weights)[0]
        url = _next_url(client, page)
        started = time.perf_counter()
        try:
            response = await client.http.get(url, headers=headers)
            outcome = str(response.status_code)
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        elapsed = time.perf_counter() - started
        results.requests += 1
        if outcome == "200":
            results.latencies[page].append(elapsed)
            results.by_role.setdefault(client.role, []).append(elapsed)
        else:
            results.errors[page][outcome] += 1
            results.examples.setdefault(page, f"{client.role} GET {url} -> {outcome}")


async def run_load(
    base: str,
    logins: dict[str, tuple[str, str]],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int = 7,
    sign_in_at_once: int = 1,
    think: float = 0.0,
    reconnect_every: int = 0,
    at_start: Callable[[], None] | None = None,
) -> Results:
    """Sign `clients` clients in (roles by `roles_for`), then load the server for `seconds`.

    `logins` maps a role to its (email, password); at most `sign_in_at_once` clients sign in
    at the same time (each opens its connection then); `at_start` is called between the
    sign-ins and the load. Each client waits `think` seconds on average (exponentially
    distributed) before each request; 0: no pause. With `reconnect_every` > 0 each client
    closes its connection after that many requests. Bounded: at most `max_requests` requests,
    each at most REQUEST_TIMEOUT s.
    """
    roles = [r if r in logins else "admin" for r in roles_for(clients)]
    gate = asyncio.Semaphore(max(1, sign_in_at_once))

    async def arrive(i: int, role: str) -> Client:
        async with gate:
            return await sign_in(base, role, *logins[role], seed=seed * 1000 + i)

    signed = await asyncio.gather(
        *(arrive(i, role) for i, role in enumerate(roles)), return_exceptions=True
    )
    ready = [c for c in signed if isinstance(c, Client)]
    try:
        failed = [c for c in signed if not isinstance(c, Client)]
        if failed:
            raise RuntimeError(f"{len(failed)} of {clients} clients could not start: {failed[0]}")
        if at_start is not None:
            at_start()
        results = Results()
        budget = Budget(max_requests)
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.wait_for(
            asyncio.gather(
                *(_loop(c, deadline, budget, results, think, reconnect_every) for c in ready)
            ),
            timeout=seconds + REQUEST_TIMEOUT + 10,
        )
        results.seconds = time.perf_counter() - started
        return results
    finally:
        await asyncio.gather(*(c.http.aclose() for c in ready), return_exceptions=True)
