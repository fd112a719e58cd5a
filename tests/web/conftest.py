"""Browser fixtures (opt-in): one headless chromium per test session, a fresh context per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import (
    ChromiumUnavailable,
    adopt_playwright_loop,
    claim_playwright_loop,
    ensure_chromium,
    release_playwright_loop,
)
from playwright.sync_api import Browser, Page, sync_playwright

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def _uses_browser(item: pytest.Item) -> bool:
    """Whether the test depends, directly or not, on the browser fixture."""
    return "browser" in getattr(item, "fixturenames", ())


# Each phase of a browser test gets Playwright's loop marked as running and unmarked after
# (see browser.py), so that asyncio tests in the same process (xdist worker) still start.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Hand Playwright its loop during the setup of browser tests."""
    if _uses_browser(item):
        claim_playwright_loop()
    try:
        return (yield)
    finally:
        release_playwright_loop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Hand Playwright its loop while a browser test runs."""
    if _uses_browser(item):
        claim_playwright_loop()
    try:
        return (yield)
    finally:
        release_playwright_loop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Hand Playwright its loop during the teardown of browser tests."""
    if _uses_browser(item):
        claim_playwright_loop()
    try:
        return (yield)
    finally:
        release_playwright_loop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The path of Debian's chromium; installs it when missing, fails (never skips) otherwise."""
    try:
        return ensure_chromium()
    except ChromiumUnavailable as error:
        pytest.fail(f"no browser for the browser tests: {error}", pytrace=False)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless chromium for the test session (per xdist worker)."""
    manager = sync_playwright()
    playwright = manager.start()
    adopt_playwright_loop(playwright._loop)
    try:
        # Root (CI) cannot use chromium's sandbox, and the tests load only their own pages.
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
    except BaseException:
        playwright.stop()
        adopt_playwright_loop(None)
        raise
    try:
        yield launched
    finally:
        # The session teardown may run in the teardown of a test that did not use the browser.
        claim_playwright_loop()
        try:
            launched.close()
        finally:
            playwright.stop()
            adopt_playwright_loop(None)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh desktop-sized (1280x800) browser context."""
    context = browser.new_context(**DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh phone-sized (390x844) touch context."""
    context = browser.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()
