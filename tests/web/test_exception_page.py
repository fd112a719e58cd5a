"""The exception page and its API: who sees it, who may act, acknowledging and committing
through the form and the API, the timeline, and the refusals (403, 404, 409, 422)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from channel_support import account_for, open_exceptions, post_form, settle_clock
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_api import BACKENDS, Api, assert_problem, database_for, serve, token_for
from web_support import DAY, NOW, build_web_demo, sign_in

from aligna import model as m
from aligna.db import session_scope

MISSING = 999_999


@dataclass
class Cast:
    """The people and exceptions of these tests."""

    api: Api
    owner: str  # the owner's person id; a manager below the demo manager
    clients: dict[str, TestClient]  # signed in: owner, manager, member, admin
    matrix: int  # the owner's, on a KPI the member may not see
    restricted: int  # the owner's, on a KPI then restricted to the owner alone
    page_ack: int
    page_commit: int
    api_ack: int
    api_commit: int  # the owner's, committed on by the manager above
    resolved: int
    seen_not_acted: int  # on a public KPI: the member sees it, may not act


@pytest.fixture(scope="module", params=BACKENDS)
def cast(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cast]:
    demo = build_web_demo(tmp_path_factory.mktemp("exception") / "demo", database_for(request))
    for api in serve(demo):
        settle_clock(api.engine)
        manager = demo.logins["manager"].person
        exceptions = open_exceptions(api.engine)
        below = [x for x in exceptions if x.owner_manager == manager]
        owner = below[0].owner
        own = [x for x in below if x.owner == owner and not x.public]
        others = [x for x in below if x.owner != owner]
        public = [x for x in exceptions if x.public and x.owner != demo.logins["member"].person]
        assert len(own) >= 3 and len(others) >= 3 and public, exceptions
        email = account_for(api.engine, owner)
        api.tokens["owner"] = token_for(api.engine, email)
        clients = {
            role: sign_in(api.client.app, login.email) for role, login in demo.logins.items()
        }
        clients["owner"] = sign_in(api.client.app, email)
        free = [x for x in others if x.id != public[0].id]
        yield Cast(
            api=api,
            owner=owner,
            clients=clients,
            matrix=own[0].id,
            restricted=own[1].id,
            page_ack=own[1].id,
            page_commit=own[2].id,
            api_ack=own[0].id,
            api_commit=free[0].id,
            resolved=free[1].id,
            seen_not_acted=public[0].id,
        )


def _text(html: str) -> str:
    """A page's words, without markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _timeline(html: str) -> str:
    """The words of a page's timeline section."""
    start = html.index('id="timeline"')
    return _text(html[start : html.index("</section>", start)])


def test_who_sees_an_exception_page_and_its_record(cast: Cast) -> None:
    path = f"/exceptions/{cast.matrix}"
    for role in ("owner", "manager", "admin"):
        page = cast.clients[role].get(path)
        assert page.status_code == 200, role
        assert "Timeline" in page.text and "with the owner" in page.text
        assert f'action="/exceptions/{cast.matrix}/acknowledge"' in page.text, role
    hidden = cast.clients["member"].get(path)
    missing = cast.clients["member"].get(f"/exceptions/{MISSING}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    assert TestClient(cast.api.client.app).get(path, follow_redirects=False).status_code == 303
    api = cast.api
    for role in ("owner", "manager", "admin"):
        record = api.get(role, f"/api/v1/exceptions/{cast.matrix}").json()
        assert record["id"] == cast.matrix and record["owner"] == cast.owner
        assert record["may_act"] is True and record["timeline"][0]["kind"] == "exception_opened"
    body = assert_problem(api.get("member", f"/api/v1/exceptions/{cast.matrix}"), 404)
    other = assert_problem(api.get("member", f"/api/v1/exceptions/{MISSING}"), 404)
    assert body["detail"] == other["detail"]


def test_the_managers_above_the_owner_see_it_even_when_the_kpi_is_restricted(cast: Cast) -> None:
    with session_scope(cast.api.engine) as session:
        x = session.get(m.PerformanceException, cast.restricted)
        assert x is not None and x.kpi_id is not None
        kpi = session.get(m.Kpi, x.kpi_id)
        assert kpi is not None
        slug = kpi.slug
        session.add(m.KpiAccess(kpi_id=kpi.id, person_id=x.owner_id))
    manager = cast.clients["manager"]
    assert manager.get(f"/kpis/{slug}").status_code == 404
    page = manager.get(f"/exceptions/{cast.restricted}")
    assert page.status_code == 200
    assert f'href="/kpis/{slug}' not in page.text and "(restricted)" in page.text
    assert cast.clients["owner"].get(f"/exceptions/{cast.restricted}").status_code == 200
    assert cast.clients["member"].get(f"/exceptions/{cast.restricted}").status_code == 404


def test_the_owner_acknowledges_through_the_page_and_the_timeline_shows_it(cast: Cast) -> None:
    owner = cast.clients["owner"]
    path = f"/exceptions/{cast.page_ack}"
    empty = post_form(owner, f"{path}/acknowledge", {"note": "   "})
    assert empty.status_code == 422
    assert "Say in a note what is being done about it." in empty.text
    done = post_form(owner, f"{path}/acknowledge", {"note": "Two hires start in July."})
    assert done.status_code == 303 and done.headers["location"].startswith(path)
    page = owner.get(done.headers["location"])
    assert "Acknowledged: it stops climbing" in page.text
    words = _timeline(page.text)
    opened, acknowledged = words.index("Opened, with the owner"), words.index("Acknowledged")
    assert opened < acknowledged < words.index("Two hires start in July.")
    record = cast.api.get("owner", f"/api/v1/exceptions/{cast.page_ack}").json()
    assert record["acknowledged_by"] == cast.owner and record["acknowledged_at"]
    kinds = [step["kind"] for step in record["timeline"]]
    assert kinds == ["exception_opened", "exception_acknowledged"]
    assert record["timeline"][1]["note"] == "Two hires start in July."


def test_a_commitment_through_the_page_refuses_a_past_deadline(cast: Cast) -> None:
    owner = cast.clients["owner"]
    path = f"/exceptions/{cast.page_commit}"
    yesterday = (DAY - timedelta(days=1)).isoformat()
    late = post_form(owner, f"{path}/commitment", {"commitment": "Fix it", "deadline": yesterday})
    assert late.status_code == 422
    assert f"The deadline {yesterday} has passed: choose today or a later day." in late.text
    assert "Fix it" in late.text  # the form keeps what was typed
    garbled = post_form(owner, f"{path}/commitment", {"commitment": "Fix it", "deadline": "soon"})
    assert garbled.status_code == 422 and "is not a date" in garbled.text
    due = (DAY + timedelta(days=30)).isoformat()
    done = post_form(
        owner, f"{path}/commitment", {"commitment": "Clear the backlog", "deadline": due}
    )
    assert done.status_code == 303
    words = _text(owner.get(path).text)
    assert f"Turned into a commitment due {due}" in words and "“Clear the backlog”" in words


def test_acknowledge_and_commit_through_the_api(cast: Cast) -> None:
    api = cast.api
    path = f"/api/v1/exceptions/{cast.api_ack}"
    invalid = assert_problem(api.post("owner", f"{path}/acknowledge", {"note": ""}), 422)
    assert invalid["errors"][0]["where"] == "body.note"
    response = api.post("owner", f"{path}/acknowledge", {"note": "On it: see the plan."})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["acknowledged_by"] == cast.owner and body["acknowledged_at"]
    assert [s["kind"] for s in body["timeline"]][-1] == "exception_acknowledged"
    assert body["timeline"][-1]["note"] == "On it: see the plan."
    # The manager above the owner commits on another of the owner's line.
    path = f"/api/v1/exceptions/{cast.api_commit}/commitment"
    yesterday = (DAY - timedelta(days=1)).isoformat()
    late = assert_problem(
        api.post("manager", path, {"commitment": "x", "deadline": yesterday}), 422
    )
    assert late["errors"][0]["where"] == "body.deadline" and "has passed" in late["detail"]
    due = (DAY + timedelta(days=14)).isoformat()
    made = api.post("manager", path, {"commitment": "Weekly check-ins", "deadline": due})
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["commitment"] == "Weekly check-ins" and record["commitment_due"] == due
    assert record["acknowledged_by"] == cast.api.demo.logins["manager"].person
    steps = record["timeline"]
    assert [s["kind"] for s in steps] == ["exception_opened", "exception_committed"]
    assert steps[1]["deadline"] == due and steps[1]["actor_person"] == record["acknowledged_by"]
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)


def test_who_may_see_but_not_act_gets_no_form_and_403(cast: Cast) -> None:
    member = cast.clients["member"]
    path = f"/exceptions/{cast.seen_not_acted}"
    page = member.get(path)
    assert page.status_code == 200
    assert "/acknowledge" not in page.text and "Turn into a commitment" not in page.text
    assert post_form(member, f"{path}/acknowledge", {"note": "mine"}).status_code == 403
    api = cast.api
    record = api.get("member", f"/api/v1/exceptions/{cast.seen_not_acted}").json()
    assert record["may_act"] is False
    refused = api.post("member", f"/api/v1{path}/acknowledge", {"note": "mine"})
    assert_problem(refused, 403)
    due = (DAY + timedelta(days=3)).isoformat()
    assert_problem(
        api.post("member", f"/api/v1{path}/commitment", {"commitment": "x", "deadline": due}), 403
    )
    # Hidden comes before forbidden: an exception the member may not see is a 404.
    assert_problem(
        api.post("member", f"/api/v1/exceptions/{cast.matrix}/acknowledge", {"note": "x"}), 404
    )
    with session_scope(api.engine) as session:
        x = session.get(m.PerformanceException, cast.seen_not_acted)
        assert x is not None and x.acknowledged_at is None


def test_a_resolved_exception_cannot_be_acted_on(cast: Cast) -> None:
    with session_scope(cast.api.engine) as session:
        session.execute(
            update(m.PerformanceException)
            .where(m.PerformanceException.id == cast.resolved)
            .values(closed_at=NOW)
        )
    api = cast.api
    path = f"/api/v1/exceptions/{cast.resolved}"
    body = assert_problem(api.post("manager", f"{path}/acknowledge", {"note": "late"}), 409)
    assert "already resolved" in body["detail"]
    due = (DAY + timedelta(days=3)).isoformat()
    assert_problem(
        api.post("admin", f"{path}/commitment", {"commitment": "x", "deadline": due}), 409
    )
    manager = cast.clients["manager"]
    page = manager.get(f"/exceptions/{cast.resolved}")
    assert page.status_code == 200 and "Resolved" in page.text and "/acknowledge" not in page.text
    posted = post_form(manager, f"/exceptions/{cast.resolved}/acknowledge", {"note": "late"})
    assert posted.status_code == 409 and "already resolved" in posted.text


def test_the_scorecard_and_the_kpi_page_link_to_exception_pages(cast: Cast) -> None:
    owner = cast.clients["owner"]
    assert f'href="/exceptions/{cast.matrix}"' in owner.get("/").text
    with session_scope(cast.api.engine) as session:
        slug = session.execute(
            select(m.Kpi.slug)
            .join(m.PerformanceException, m.PerformanceException.kpi_id == m.Kpi.id)
            .where(m.PerformanceException.id == cast.matrix)
        ).scalar_one()
    assert f'href="/exceptions/{cast.matrix}"' in owner.get(f"/kpis/{slug}").text
