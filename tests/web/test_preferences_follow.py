"""Notification preferences (the page and the API) and following KPIs and initiatives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from channel_support import post_form
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from test_api import BACKENDS, Api, assert_problem, database_for, serve
from web_support import build_web_demo, sign_in

from aligna import model as m
from aligna.channels.preferences import KINDS, LABELS
from aligna.db import session_scope


@dataclass
class Setup:
    """A served demo with a signed-in client per role."""

    api: Api
    clients: dict[str, TestClient]


@pytest.fixture(scope="module", params=BACKENDS)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    demo = build_web_demo(tmp_path_factory.mktemp("preferences") / "demo", database_for(request))
    for api in serve(demo):
        clients = {
            role: sign_in(api.client.app, login.email) for role, login in demo.logins.items()
        }
        yield Setup(api, clients)


def selected(html: str, kind: str) -> str:
    """The option selected for a kind on the preferences page."""
    select_html = re.search(rf'<select id="pref-{kind}" name="{kind}">(.*?)</select>', html, re.S)
    assert select_html, kind
    found = re.search(r'<option value="([a-z]+)" selected>', select_html.group(1))
    assert found, select_html.group(1)
    return found.group(1)


def test_the_preferences_page_saves_and_shows_choices(setup: Setup) -> None:
    member = setup.clients["member"]
    page = member.get("/me/notifications")
    assert page.status_code == 200
    for kind in KINDS:
        assert str(escape(LABELS[kind])) in page.text
        assert selected(page.text, kind) == "default"
    assert "default (immediately / daily digest)" in page.text
    digest = re.search(r'<select id="pref-digest" name="digest">(.*?)</select>', page.text, re.S)
    assert digest and "immediately" not in digest.group(1) and "weekly" in digest.group(1)
    saved = post_form(
        member,
        "/me/notifications",
        {"exception_opened": "daily", "status_changed": "off", "digest": "daily"},
    )
    assert saved.status_code == 303
    shown = member.get(saved.headers["location"])
    assert "Saved: your notification preferences are changed." in shown.text
    assert selected(shown.text, "exception_opened") == "daily"
    assert selected(shown.text, "status_changed") == "off"
    assert selected(shown.text, "digest") == "daily"
    assert selected(shown.text, "exception_escalated") == "default"
    back = post_form(member, "/me/notifications", {"exception_opened": "default"})
    assert back.status_code == 303
    assert selected(member.get("/me/notifications").text, "exception_opened") == "default"
    refused = post_form(member, "/me/notifications", {"digest": "immediately"})
    assert refused.status_code == 422 and "not immediately" in refused.text
    assert selected(member.get("/me/notifications").text, "digest") == "daily"
    # The account page and the inbox link to it; messages' footers link to exactly this path.
    assert 'href="/me/notifications"' in member.get("/account").text


def test_preferences_through_the_api(setup: Setup) -> None:
    api = setup.api
    listed = api.get("manager", "/api/v1/me/notifications").json()["preferences"]
    assert [p["kind"] for p in listed] == list(KINDS)
    opened = next(p for p in listed if p["kind"] == "exception_opened")
    assert opened["delivery"] is None
    assert opened["default"] == {"owner": "immediately", "influencer": "daily"}
    changed = api.client.put(
        "/api/v1/me/notifications",
        json={"deliveries": {"exception_resolved": "off", "digest": "weekly"}},
        headers=api.headers("manager"),
    )
    assert changed.status_code == 200, changed.text
    by_kind = {p["kind"]: p["delivery"] for p in changed.json()["preferences"]}
    assert by_kind["exception_resolved"] == "off" and by_kind["digest"] == "weekly"
    for body, where in (
        ({"deliveries": {"digest": "immediately"}}, "body.deliveries.digest"),
        ({"deliveries": {"nonsense": "daily"}}, "body.deliveries.nonsense"),
        ({"deliveries": {"status_changed": "hourly"}}, "body.deliveries.status_changed"),
    ):
        problem = assert_problem(
            api.client.put("/api/v1/me/notifications", json=body, headers=api.headers("manager")),
            422,
        )
        assert problem["errors"][0]["where"] == where
    cleared = api.client.put(
        "/api/v1/me/notifications",
        json={"deliveries": {"exception_resolved": None}},
        headers=api.headers("manager"),
    ).json()
    assert {p["kind"]: p["delivery"] for p in cleared["preferences"]}["exception_resolved"] is None


def follows(api: Api, person: str) -> int:
    """How many follow rows a person has."""
    with session_scope(api.engine) as session:
        return session.execute(
            select(func.count())
            .select_from(m.Follow)
            .join(m.Person, m.Person.id == m.Follow.person_id)
            .where(m.Person.slug == person)
        ).scalar_one()


def test_follow_and_unfollow_a_kpi_on_its_page_twice_over(setup: Setup) -> None:
    member = setup.clients["member"]
    kpi = setup.api.demo.members_kpi
    person = setup.api.demo.logins["member"].person
    page = member.get(f"/kpis/{kpi}")
    assert f'action="/kpis/{kpi}/follow"' in page.text and ">Follow<" in page.text
    for _ in range(2):
        response = post_form(member, f"/kpis/{kpi}/follow")
        assert response.status_code == 303 and response.headers["location"] == f"/kpis/{kpi}"
    assert follows(setup.api, person) == 1
    page = member.get(f"/kpis/{kpi}")
    assert f'action="/kpis/{kpi}/unfollow"' in page.text and "Following" in page.text
    swapped = post_form(member, f"/kpis/{kpi}/unfollow", headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert f'action="/kpis/{kpi}/follow"' in swapped.text
    assert post_form(member, f"/kpis/{kpi}/unfollow").status_code == 303
    assert follows(setup.api, person) == 0
    hidden = setup.api.demo.hidden_kpi
    assert post_form(member, f"/kpis/{hidden}/follow").status_code == 404
    assert member.post(f"/kpis/{kpi}/follow", follow_redirects=False).status_code == 403


def test_follow_an_initiative_on_its_page_and_through_the_api(setup: Setup) -> None:
    api = setup.api
    manager = setup.clients["manager"]
    person = api.demo.logins["manager"].person
    initiative = api.get("manager", "/api/v1/initiatives").json()["items"][0]["id"]
    page = manager.get(f"/initiatives/{initiative}")
    assert f'action="/initiatives/{initiative}/follow"' in page.text
    assert post_form(manager, f"/initiatives/{initiative}/follow").status_code == 303
    assert "Following" in manager.get(f"/initiatives/{initiative}").text
    path = f"/api/v1/initiatives/{initiative}/follow"
    again = api.client.put(path, headers=api.headers("manager"))
    assert again.status_code == 200
    assert again.json() == {
        "kind": "initiative",
        "id": initiative,
        "following": True,
        "changed": False,
    }
    assert follows(api, person) == 1
    gone = api.client.delete(path, headers=api.headers("manager")).json()
    assert gone["following"] is False and gone["changed"] is True
    assert api.client.delete(path, headers=api.headers("manager")).json()["changed"] is False
    assert follows(api, person) == 0


def test_follow_a_kpi_through_the_api(setup: Setup) -> None:
    api = setup.api
    kpi = api.demo.members_kpi
    path = f"/api/v1/kpis/{kpi}/follow"
    first = api.client.put(path, headers=api.headers("member")).json()
    second = api.client.put(path, headers=api.headers("member")).json()
    assert first["changed"] is True and second["changed"] is False and second["following"]
    for slug in (api.demo.hidden_kpi, "no-such-kpi"):
        assert_problem(
            api.client.put(f"/api/v1/kpis/{slug}/follow", headers=api.headers("member")), 404
        )
    assert api.client.delete(path, headers=api.headers("member")).json()["following"] is False
    # A cookie session must send its CSRF token.
    assert_problem(setup.clients["member"].put(path), 403)
