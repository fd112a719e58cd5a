"""The inbox: the unread count in the header, the inbox page, opening and marking items read
(only one's own), and the same through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from channel_support import account_for, fill_inboxes, inbox_ids, open_exceptions, post_form
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from test_api import BACKENDS, Api, assert_problem, database_for, serve, token_for
from web_support import NOW, PASSWORD, build_web_demo, sign_in

from aligna import model as m
from aligna.db import session_scope
from aligna.web.auth.accounts import create_account

HEADER = re.compile(r'<a class="inbox-link[^"]*" href="/inbox"[^>]*aria-label="Inbox, (\w+) unread')


@dataclass
class Inboxes:
    """A demo whose events were delivered to the inboxes, and who reads them."""

    api: Api
    owner: str  # a person with several items
    clients: dict[str, TestClient]


@pytest.fixture(scope="module", params=BACKENDS)
def inboxes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Inboxes]:
    demo = build_web_demo(tmp_path_factory.mktemp("inbox") / "demo", database_for(request))
    for api in serve(demo):
        fill_inboxes(api.engine, demo)
        counts: dict[str, int] = {}
        for x in open_exceptions(api.engine):
            counts[x.owner] = counts.get(x.owner, 0) + 1
        owner = max(counts, key=lambda person: counts[person])
        email = account_for(api.engine, owner)
        api.tokens["owner"] = token_for(api.engine, email)
        clients = {
            role: sign_in(api.client.app, login.email) for role, login in demo.logins.items()
        }
        clients["owner"] = sign_in(api.client.app, email)
        yield Inboxes(api, owner, clients)


def unread(engine: Engine, person: str) -> int:
    """A person's unread count, straight from the database."""
    with session_scope(engine) as session:
        return session.execute(
            select(func.count())
            .select_from(m.InboxItem)
            .join(m.Person, m.Person.id == m.InboxItem.person_id)
            .where(m.Person.slug == person, m.InboxItem.read_at.is_(None))
        ).scalar_one()


def header_count(html: str) -> str:
    """The unread count the page header says, in words ("3", or "no")."""
    found = HEADER.search(html)
    assert found, html[:2000]
    return found.group(1)


def test_every_page_header_shows_the_unread_count(inboxes: Inboxes) -> None:
    owner = inboxes.clients["owner"]
    expected = unread(inboxes.api.engine, inboxes.owner)
    assert expected >= 2
    for path in ("/", "/map", "/account", "/learn"):
        html = owner.get(path).text
        assert header_count(html) == str(expected), path
        assert f'Inbox <span class="count unread-count">{expected}</span>' in html


def test_an_account_without_a_person_has_no_inbox(inboxes: Inboxes) -> None:
    with session_scope(inboxes.api.engine) as session:
        create_account(
            session=session,
            email="service-admin@example.org",
            now=NOW,
            password=PASSWORD,
            roles=["admin"],
        )
    service = sign_in(inboxes.api.client.app, "service-admin@example.org")
    assert 'href="/inbox"' not in service.get("/map").text
    assert service.get("/inbox").status_code == 403
    listed = service.get("/api/v1/me/inbox").json()
    assert listed["items"] == [] and listed["total"] == 0


def test_the_inbox_lists_newest_first_and_opening_an_item_marks_it_read(inboxes: Inboxes) -> None:
    owner = inboxes.clients["owner"]
    page = owner.get("/inbox")
    assert page.status_code == 200
    ids = inbox_ids(inboxes.api.engine, inboxes.owner)
    listed = [int(i) for i in re.findall(r'href="/inbox/(\d+)/open"', page.text)]
    assert listed == ids[: len(listed)] and listed
    assert page.text.count('class="inbox-item unread"') == unread(inboxes.api.engine, inboxes.owner)
    before = unread(inboxes.api.engine, inboxes.owner)
    opened = owner.get(f"/inbox/{ids[0]}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/exceptions/")
    assert unread(inboxes.api.engine, inboxes.owner) == before - 1
    assert owner.get(opened.headers["location"]).status_code == 200
    again = owner.get(f"/inbox/{ids[0]}/open", follow_redirects=False)
    assert again.status_code == 303  # opening a read item again is harmless
    assert unread(inboxes.api.engine, inboxes.owner) == before - 1


def test_only_ones_own_items_can_be_opened_or_marked_read(inboxes: Inboxes) -> None:
    ids = inbox_ids(inboxes.api.engine, inboxes.owner)
    before = unread(inboxes.api.engine, inboxes.owner)
    member = inboxes.clients["member"]
    assert member.get(f"/inbox/{ids[-1]}/open", follow_redirects=False).status_code == 404
    assert post_form(member, f"/inbox/{ids[-1]}/read").status_code == 404
    marked = inboxes.api.post("member", "/api/v1/me/inbox/read", {"ids": ids})
    assert marked.status_code == 200 and marked.json()["marked"] == 0
    assert post_form(member, "/inbox/read-all").status_code == 303
    assert unread(inboxes.api.engine, inboxes.owner) == before
    assert member.post(f"/inbox/{ids[-1]}/read", follow_redirects=False).status_code == 403


def test_mark_one_and_mark_all_as_read(inboxes: Inboxes) -> None:
    manager = inboxes.clients["manager"]
    person = inboxes.api.demo.logins["manager"].person
    ids = inbox_ids(inboxes.api.engine, person)
    assert ids, "the demo manager owns an exception, so has an item"
    before = unread(inboxes.api.engine, person)
    one = post_form(manager, f"/inbox/{ids[0]}/read")
    assert one.status_code == 303 and one.headers["location"] == "/inbox"
    assert unread(inboxes.api.engine, person) == max(before - 1, 0)
    every = post_form(manager, "/inbox/read-all")
    assert every.status_code == 303
    assert unread(inboxes.api.engine, person) == 0
    page = manager.get(every.headers["location"])
    assert "No unread messages" in page.text and header_count(page.text) == "no"
    assert "Mark all as read" not in page.text


def test_the_inbox_through_the_api(inboxes: Inboxes) -> None:
    api = inboxes.api
    first = api.get("owner", "/api/v1/me/inbox", per_page=1)
    body = first.json()
    total = body["total"]
    assert first.status_code == 200 and len(body["items"]) == 1 and total >= 2
    assert 'rel="next"' in first.headers["link"]
    item = body["items"][0]
    assert (
        item["subject"] and item["link"].startswith("/") and "/me/notifications" not in item["body"]
    )
    every = api.all_items("owner", "/api/v1/me/inbox")
    unread_ids = [i["id"] for i in every if i["read_at"] is None]
    assert unread_ids
    marked = api.post("owner", "/api/v1/me/inbox/read", {"ids": unread_ids[:1]})
    assert marked.json() == {"marked": 1, "unread": len(unread_ids) - 1}
    assert api.post("owner", "/api/v1/me/inbox/read", {"ids": unread_ids[:1]}).json()["marked"] == 0
    everything = api.post("owner", "/api/v1/me/inbox/read", {"all": True}).json()
    assert everything == {"marked": len(unread_ids) - 1, "unread": 0}
    assert api.get("owner", "/api/v1/me/inbox").json()["unread"] == 0
    invalid = assert_problem(api.post("owner", "/api/v1/me/inbox/read", {}), 422)
    assert "ids" in invalid["detail"]
    # A cookie session must send its CSRF token; a token needs none.
    cookie = inboxes.clients["owner"].post("/api/v1/me/inbox/read", json={"all": True})
    assert_problem(cookie, 403)
