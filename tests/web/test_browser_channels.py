"""The inbox and exceptions in a real browser: a person sees their unread count, opens the inbox,
follows a message to an exception, acknowledges it, and finds the note on its timeline; axe
finds no serious violation on the new pages, and they fit a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browser import run_axe, serve_app
from channel_support import account_for, fill_inboxes, open_exceptions, settle_clock
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, func, select
from test_browser_pages import sign_in
from web_support import WebDemo, build_web_demo, make_app

from aligna import model as m
from aligna.db import open_database, session_scope


@dataclass(frozen=True)
class Served:
    """The demo served over http, with an exception owner who can sign in."""

    url: str
    demo: WebDemo
    engine: Engine
    owner: str
    owner_email: str

    def unread(self) -> int:
        """The owner's unread count, from the database."""
        with session_scope(self.engine) as session:
            return session.execute(
                select(func.count())
                .select_from(m.InboxItem)
                .join(m.Person, m.Person.id == m.InboxItem.person_id)
                .where(m.Person.slug == self.owner, m.InboxItem.read_at.is_(None))
            ).scalar_one()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    demo = build_web_demo(tmp_path_factory.mktemp("browser-channels") / "demo")
    engine = open_database(demo.settings.resolved_database_url())
    try:
        settle_clock(engine)
        fill_inboxes(engine, demo)
        owners = [x.owner for x in open_exceptions(engine)]
        owner = max(set(owners), key=owners.count)
        email = account_for(engine, owner)
        with serve_app(make_app(demo, engine)) as url:
            yield Served(url, demo, engine, owner, email)
    finally:
        engine.dispose()


def test_from_the_inbox_to_an_acknowledged_exception(page: Page, served: Served) -> None:
    unread = served.unread()
    assert unread >= 2
    sign_in(page, served.url, served.owner_email)
    inbox = page.get_by_role("link", name=f"Inbox, {unread} unread messages")
    expect(inbox).to_be_visible()
    expect(inbox).to_have_text(f"Inbox {unread}")
    inbox.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator(".inbox-item.unread")).to_have_count(unread)
    page.locator(".inbox-item.unread .inbox-subject").first.click()
    expect(page).to_have_url(re.compile(r"/exceptions/\d+$"))
    header = page.get_by_role("link", name=f"Inbox, {unread - 1} unread messages")
    expect(header).to_be_visible()  # opening the message marked it read
    note = "Two new suppliers are qualified; deliveries recover in July."
    page.get_by_label("What is being done about it").fill(note)
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Acknowledged")
    timeline = page.locator("#timeline")
    expect(timeline.locator(".step-exception_acknowledged")).to_contain_text(note)
    expect(timeline.locator(".step").first).to_contain_text("Opened")


@pytest.mark.parametrize("path", ["/inbox", "exception", "/me/notifications"])
def test_no_serious_accessibility_violations_on_the_new_pages(
    page: Page, served: Served, path: str
) -> None:
    sign_in(page, served.url, served.owner_email)
    if path == "exception":
        page.goto(f"{served.url}/inbox")
        page.locator(".inbox-subject").first.click()
        expect(page).to_have_url(re.compile(r"/exceptions/\d+$"))
    else:
        page.goto(served.url + path)
    assert run_axe(page) == []


@pytest.mark.parametrize("path", ["/inbox", "exception", "/me/notifications"])
def test_the_new_pages_fit_a_phone(phone_page: Page, served: Served, path: str) -> None:
    sign_in(phone_page, served.url, served.owner_email)
    if path == "exception":
        phone_page.goto(f"{served.url}/inbox")
        phone_page.locator(".inbox-subject").first.click()
        expect(phone_page).to_have_url(re.compile(r"/exceptions/\d+$"))
    else:
        phone_page.goto(served.url + path)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"{path} scrolls sideways on a phone: {width} px"
