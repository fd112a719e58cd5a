"""The pages in a real browser: each demo role signs in, follows a line of sight, opens a KPI,
is refused what is hidden, moves by keyboard alone, and axe finds no serious violation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser import run_axe, serve_app
from playwright.sync_api import Page, expect
from web_support import PASSWORD, WebDemo, build_web_demo, make_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("browser") / "demo")


@pytest.fixture(scope="module")
def base_url(demo: WebDemo) -> Iterator[str]:
    with serve_app(make_app(demo)) as url:
        yield url


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out"))
    ).to_be_visible()


@pytest.mark.parametrize("role", ["admin", "manager", "member"])
def test_each_role_signs_in_and_sees_their_scorecard(
    page: Page, base_url: str, demo: WebDemo, role: str
) -> None:
    login = demo.logins[role]
    sign_in(page, base_url, login.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("My scorecard")
    expect(page.locator(".lead")).to_contain_text(login.name)
    expect(page.locator(".account .role")).to_have_text(role)
    admin_link = page.get_by_role("link", name="Admin", exact=True)
    expect(admin_link).to_have_count(1 if role == "admin" else 0)


def test_member_follows_a_line_of_sight_to_the_vision(
    page: Page, base_url: str, demo: WebDemo
) -> None:
    sign_in(page, base_url, demo.logins["member"].email)
    card = page.locator(".card").filter(has=page.locator(".sight-box")).first
    card.locator("summary", has_text="Line of sight").click()
    steps = card.get_by_role("list", name="Line of sight to the vision").get_by_role("link")
    expect(steps.first).to_be_visible()
    last = steps.last
    target = last.get_attribute("href") or ""
    assert target.startswith(("/map#vision-", "/objectives#objective-"))
    last.click()
    if target.startswith("/map#vision-"):
        expect(page.locator(f"#{target.split('#')[1]}")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name="Objectives", level=1)).to_be_visible()


def test_a_kpi_page_shows_its_chart_signals_and_explains_a_number(
    page: Page, base_url: str, demo: WebDemo
) -> None:
    sign_in(page, base_url, demo.logins["admin"].email)
    page.goto(f"{base_url}/kpis/{demo.members_kpi}")
    chart = page.locator("svg.kpi-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text(re.compile(r"\w"))
    expect(page.get_by_role("table").first).to_be_visible()
    # htmx swaps the explanation in without leaving the page.
    page.get_by_role("link", name="Explain these numbers").click()
    expect(page.locator("#explain-box .explain-lines")).to_contain_text("status")
    assert page.url.endswith(f"/kpis/{demo.members_kpi}")


def test_a_kpi_with_signals_marks_them_on_the_chart(
    page: Page, base_url: str, demo: WebDemo
) -> None:
    sign_in(page, base_url, demo.logins["admin"].email)
    page.goto(f"{base_url}/map")
    slugs = sorted(set(re.findall(r'href="/kpis/([a-z0-9-]+)"', page.content())))
    marked = 0
    for slug in slugs:
        page.goto(f"{base_url}/kpis/{slug}")
        marked = page.locator("svg.kpi-chart .signal-mark").count()
        if marked:
            break
    assert marked > 0, "no KPI of the demo shows a signal"
    first = page.locator("svg.kpi-chart .signal-mark").first
    assert first.get_attribute("data-rule") in {"1", "2", "3"}


def test_a_member_gets_not_found_for_a_restricted_kpi(
    page: Page, base_url: str, demo: WebDemo
) -> None:
    sign_in(page, base_url, demo.logins["member"].email)
    response = page.goto(f"{base_url}/kpis/{demo.restricted_kpi}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_keyboard_alone_reaches_the_map_and_a_kpi(page: Page, base_url: str, demo: WebDemo) -> None:
    sign_in(page, base_url, demo.logins["manager"].email)
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Alignment Map":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/map$"))
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/kpis/"):
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kpis/"))
    # Focus is always visible: the focused element has an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/map",
        "/objectives",
        "/search?q=a",
        "/learn",
        "/learn/glossary",
        "/account",
        "KPI",
        "/inbox",
        "/me/notifications",
        "/admin/messages",
        "/admin/escalation",
    ],
)
def test_no_serious_accessibility_violations(
    page: Page, base_url: str, demo: WebDemo, path: str
) -> None:
    sign_in(page, base_url, demo.logins["admin"].email)
    page.goto(base_url + (f"/kpis/{demo.members_kpi}" if path == "KPI" else path))
    assert run_axe(page) == []


def test_sign_in_page_has_no_serious_accessibility_violations(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    assert run_axe(page) == []


def test_the_scorecard_works_on_a_phone(phone_page: Page, base_url: str, demo: WebDemo) -> None:
    sign_in(phone_page, base_url, demo.logins["member"].email)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone: {width} px"
    expect(phone_page.locator(".card").first).to_be_visible()
