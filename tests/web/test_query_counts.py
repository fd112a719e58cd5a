"""The number of SQL statements a page runs does not grow with the size of the organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from channel_support import fill_inboxes
from fastapi import FastAPI
from sqlalchemy import event
from web_support import WebDemo, build_web_demo, make_app, sign_in

PAGES = (
    "/",
    "/map",
    "/objectives",
    "/search?q=a",
    "/learn/glossary",
    "/account",
    "/inbox",
    "/me/notifications",
)


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    """Record every statement the app's engine runs inside the block."""
    statements: list[str] = []
    engine = app.state.aligna.engine

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _counts(demo: WebDemo, role: str) -> dict[str, int]:
    app = make_app(demo)
    client = sign_in(app, demo.logins[role].email)
    home = client.get("/").text
    pages = list(PAGES)
    pages.append(re.search(r'href="(/kpis/[a-z0-9-]+)', home).group(1))  # type: ignore[union-attr]
    pages.append(re.search(r'href="(/units/[a-z0-9-]+)', home).group(1))  # type: ignore[union-attr]
    initiative = re.search(r'href="(/initiatives/[a-z0-9-]+)', client.get("/map").text)
    if initiative:  # a member may see none
        pages.append(initiative.group(1))
    exceptions = client.get("/api/v1/exceptions").json()["items"]
    if exceptions:
        pages.append(f"/exceptions/{exceptions[0]['id']}")
    counts = {}
    fill_inboxes(app.state.aligna.engine, demo)  # the inbox page lists what was delivered
    for path in pages:
        client.get(path)  # warm: the session's sliding expiry writes at most once a minute
        with counting(app) as statements:
            assert client.get(path).status_code == 200, path
        counts[path.split("?")[0].split("/")[1] or "home"] = len(statements)
    return counts


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> tuple[WebDemo, WebDemo]:
    # 20 people is the demo's smallest; five times that shows any statement per row.
    small = build_web_demo(tmp_path_factory.mktemp("small") / "demo")
    large_folder = tmp_path_factory.mktemp("large") / "demo"
    large = _build(large_folder, people=100)
    return small, large


def _build(folder: Path, people: int) -> WebDemo:
    import web_support

    original = web_support.build_demo_project

    def sized(target: Path, **kwargs: object) -> object:
        kwargs["people"] = people
        return original(target, **kwargs)  # type: ignore[arg-type]

    web_support.build_demo_project = sized  # type: ignore[assignment]
    try:
        return build_web_demo(folder)
    finally:
        web_support.build_demo_project = original


@pytest.mark.parametrize("role", ["admin", "manager", "member"])
def test_statements_per_page_do_not_grow_with_the_organisation(
    demos: tuple[WebDemo, WebDemo], role: str
) -> None:
    small, large = demos
    on_small, on_large = _counts(small, role), _counts(large, role)
    common = on_small.keys() & on_large.keys()
    assert len(common) >= 10, (on_small, on_large)
    assert {p: on_small[p] for p in common} == {p: on_large[p] for p in common}
    assert max(on_small.values()) <= 40, on_small
