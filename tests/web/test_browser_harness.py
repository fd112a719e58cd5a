"""The browser harness: chromium drives a live app, the vendored htmx runs, axe passes and fails."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from browser import AXE_JS, run_axe, serve_app
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Page, expect

import aligna.web

STATIC = Path(aligna.web.__file__).parent / "static"
HTMX_JS = STATIC / "vendor" / "htmx.min.js"
HERE = Path(__file__).parent

GOOD_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Harness</title>
  <script src="/static/vendor/htmx.min.js"></script>
</head>
<body>
  <main>
    <h1>Harness</h1>
    <form hx-get="/fragment" hx-target="#result">
      <label for="name">Name</label>
      <input id="name" name="name" type="text">
      <button type="submit">Greet</button>
    </form>
    <div id="result" aria-live="polite"></div>
  </main>
</body>
</html>
"""

# Several serious and critical failures on purpose: no lang, an image without alt text,
# an input without a label.
BROKEN_PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
  <main>
    <h1>Broken</h1>
    <img src="/static/vendor/missing.png">
    <input type="text" name="nameless">
  </main>
</body>
</html>
"""


def build_app() -> FastAPI:
    """A tiny app like the real one: a page, an htmx fragment, the static files."""
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return GOOD_PAGE

    @app.get("/fragment", response_class=HTMLResponse)
    def fragment(name: str = "") -> str:
        return f'<p id="greeting">Hello, {escape(name or "stranger")}!</p>'

    @app.get("/broken", response_class=HTMLResponse)
    def broken() -> str:
        return BROKEN_PAGE

    @app.get("/strict")
    def strict() -> HTMLResponse:
        # The real app may forbid inline scripts; axe must still run there.
        return HTMLResponse(GOOD_PAGE, headers={"Content-Security-Policy": "script-src 'self'"})

    return app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The harness app, served for this module."""
    with serve_app(build_app()) as url:
        yield url


def test_vendored_files_match_their_readmes() -> None:
    """The sha256 in each README is the sha256 of the vendored file."""
    for path in (HTMX_JS, AXE_JS):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in (path.parent / "README.md").read_text(encoding="utf-8"), path


def test_htmx_swaps_the_fragment_on_click(page: Page, base_url: str) -> None:
    """Clicking the button makes the vendored htmx fetch the fragment and swap it in."""
    page.goto(base_url + "/")
    assert page.evaluate("htmx.version").startswith("2.")
    page.get_by_label("Name").fill("Ada <b>")
    page.get_by_role("button", name="Greet").click()
    expect(page.locator("#result #greeting")).to_have_text("Hello, Ada <b>!")
    # htmx swapped the fragment in place: no navigation happened.
    assert page.url == base_url + "/"


def test_keyboard_tab_to_the_button_and_press_enter(page: Page, base_url: str) -> None:
    """The form works from the keyboard alone."""
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Grace")
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Greet")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#greeting")).to_have_text("Hello, Grace!")


def test_axe_finds_nothing_serious_on_the_good_page(page: Page, base_url: str) -> None:
    """The good page, also after the swap, has no serious or critical violations."""
    page.goto(base_url + "/")
    assert run_axe(page) == []
    page.get_by_role("button", name="Greet").click()
    expect(page.locator("#greeting")).to_be_visible()
    assert run_axe(page) == []


def test_axe_reports_the_broken_page(page: Page, base_url: str) -> None:
    """A page without alt text, labels and lang fails the check: the check can fail."""
    page.goto(base_url + "/broken")
    violations = run_axe(page)
    found = {violation["id"]: violation for violation in violations}
    assert {"image-alt", "label", "html-has-lang"} <= found.keys(), violations
    assert found["image-alt"]["impact"] == "critical"
    assert found["image-alt"]["targets"] == ["img"]
    assert found["label"]["targets"] == ["input"]
    assert all(v["impact"] in ("serious", "critical") for v in violations)
    assert all(v["help"] for v in violations)


def test_axe_runs_under_a_strict_content_security_policy(page: Page, base_url: str) -> None:
    """axe is injected without the network, even where inline scripts are forbidden."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "/strict")
    assert run_axe(page) == []
    assert all(url.startswith(base_url) for url in requests), requests


def test_phone_page_taps_the_button(phone_page: Page, base_url: str) -> None:
    """The phone-sized touch context works the page too."""
    phone_page.goto(base_url + "/")
    assert phone_page.viewport_size == {"width": 390, "height": 844}
    assert phone_page.evaluate("matchMedia('(pointer: coarse)').matches")
    phone_page.get_by_role("button", name="Greet").tap()
    expect(phone_page.locator("#greeting")).to_have_text("Hello, stranger!")
    assert run_axe(phone_page) == []


def test_asyncio_runs_next_to_the_browser() -> None:
    """Playwright's loop does not stay marked as running outside browser tests."""
    assert asyncio.run(asyncio.sleep(0, result="ok")) == "ok"


def test_browser_and_asyncio_tests_interleave_in_one_process(tmp_path: Path) -> None:
    """In one process: a browser test, then asyncio and anyio tests, then a browser test again."""
    # A separate pytest run fixes the order, which xdist would not guarantee here.
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            f"""
            import importlib.util
            import sys

            sys.path.insert(0, {str(HERE)!r})
            path = {str(HERE / "conftest.py")!r}
            spec = importlib.util.spec_from_file_location("web_conftest", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            globals().update({{k: v for k, v in vars(module).items() if not k.startswith("__")}})
            """
        )
    )
    (tmp_path / "test_order.py").write_text(
        textwrap.dedent(
            """
            import asyncio

            import pytest

            def test_1_browser(page):
                page.set_content("<p>one</p>")
                assert page.text_content("p") == "one"

            def test_2_asyncio():
                assert asyncio.run(asyncio.sleep(0, result=2)) == 2

            @pytest.mark.anyio
            async def test_3_anyio():
                await asyncio.sleep(0)

            def test_4_browser_again(page):
                page.set_content("<p>four</p>")
                assert page.text_content("p") == "four"
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout, result.stdout
