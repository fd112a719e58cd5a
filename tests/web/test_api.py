"""The REST API as each demo role sees it: every endpoint, hidden items, pagination, OpenAPI."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from web_support import NOW, WebDemo, build_web_demo, make_app

from aligna.db import open_database, session_scope
from aligna.throwaway_postgres import create_database
from aligna.web.auth.accounts import find_account
from aligna.web.auth.tokens import create_api_token

ROLES = ("admin", "manager", "member")
DOCUMENTED = {
    "kpi",
    "unit",
    "period",
    "actual",
    "target",
    "red_flag",
    "stretch",
    "status",
    "score",
    "trend",
    "signals",
    "forecast",
}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
WRITE_ONLY = {
    "/api/v1/kpis/{kpi}/values",
    "/api/v1/kpis/{kpi}/follow",
    "/api/v1/initiatives/{initiative}/follow",
    "/api/v1/exceptions/{id}/acknowledge",
    "/api/v1/exceptions/{id}/commitment",
    "/api/v1/me/inbox/read",
}


@dataclass
class Api:
    """A served demo, an API token per role, and a client."""

    demo: WebDemo
    engine: Engine
    client: TestClient
    tokens: dict[str, str]

    def get(self, role: str | None, path: str, **params: Any) -> Response:
        """GET a path as a role (None: no token)."""
        return self.client.get(path, params=params, headers=self.headers(role))

    def post(self, role: str | None, path: str, body: Any) -> Response:
        """POST JSON to a path as a role."""
        return self.client.post(path, json=body, headers=self.headers(role))

    def headers(self, role: str | None) -> dict[str, str]:
        """The Authorization header of a role's token."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def all_items(self, role: str, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, in pages of 500."""
        body = self.get(role, path, per_page=500, **params).json()
        assert body["total"] == len(body["items"])
        return body["items"]  # type: ignore[no-any-return]


def database_for(request: pytest.FixtureRequest) -> str | None:
    """A new database URL on the backend of the fixture's parameter (None: the demo's SQLite)."""
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres_server")
    return create_database(server, f"api_{uuid.uuid4().hex[:12]}")


def token_for(engine: Engine, email: str) -> str:
    """A new API token for an account, through the service the /account page uses."""
    with session_scope(engine) as session:
        account = find_account(session=session, email=email)
        assert account is not None, email
        token, _ = create_api_token(session=session, account=account, name="tests", now=NOW)
    return token


def serve(demo: WebDemo) -> Iterator[Api]:
    """Serve a demo with a token per role; the engine is disposed after the module."""
    engine = open_database(demo.settings.resolved_database_url())
    try:
        tokens = {role: token_for(engine, login.email) for role, login in demo.logins.items()}
        yield Api(demo, engine, TestClient(make_app(demo, engine)), tokens)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    demo = build_web_demo(tmp_path_factory.mktemp("api") / "demo", database_for(request))
    yield from serve(demo)


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def paths_for(api: Api) -> list[str]:
    """One path of every GET endpoint, each naming something the member may see."""
    member = api.demo.logins["member"].person
    objective = api.get("member", "/api/v1/objectives").json()["items"][0]["id"]
    initiative = api.get("member", "/api/v1/initiatives").json()["items"][0]["id"]
    exception = api.get("member", "/api/v1/exceptions").json()["items"][0]["id"]
    kpi = api.demo.members_kpi
    return [
        "/api/v1/me",
        "/api/v1/me/inbox",
        "/api/v1/me/notifications",
        "/api/v1/kpis",
        f"/api/v1/kpis/{kpi}",
        f"/api/v1/kpis/{kpi}/evaluations",
        "/api/v1/objectives",
        f"/api/v1/objectives/{objective}",
        "/api/v1/initiatives",
        f"/api/v1/initiatives/{initiative}",
        "/api/v1/people",
        f"/api/v1/people/{member}",
        f"/api/v1/people/{member}/scorecard",
        "/api/v1/units",
        "/api/v1/units/tidewell",
        "/api/v1/vision-gaps",
        "/api/v1/exceptions",
        f"/api/v1/exceptions/{exception}",
        "/api/v1/search?q=pump",
    ]


def test_every_endpoint_answers_every_role_and_refuses_the_anonymous(api: Api) -> None:
    paths = paths_for(api)
    for path in paths:
        for role in ROLES:
            response = api.client.get(path, headers=api.headers(role))
            assert response.status_code == 200, (role, path, response.text[:300])
            assert response.headers["content-type"] == "application/json"
        anonymous = assert_problem(api.client.get(path), 401)
        assert anonymous["title"] == "Sign-in required"
        wrong = api.client.get(path, headers={"Authorization": "Bearer aligna_not-a-token"})
        assert_problem(wrong, 401)
        assert wrong.headers["www-authenticate"] == "Bearer"
    # Every endpoint of the document is in the matrix; the paths that only write are tested in
    # test_api_values, test_exception_page, test_inbox and test_preferences_follow.
    documented = set(api.get(None, "/api/v1/openapi.json").json()["paths"])
    asked = {re.sub(r"\?.*", "", p) for p in paths}
    assert {p for p in documented if p.startswith("/api/")} - WRITE_ONLY == {
        _template(p, documented) for p in asked
    }


def _template(path: str, documented: set[str]) -> str:
    """The documented path template a concrete path matches."""
    for template in documented:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"no documented path for {path}")


def test_me_says_who_the_token_belongs_to(api: Api) -> None:
    for role in ROLES:
        me = api.get(role, "/api/v1/me").json()
        assert me["person"] == api.demo.logins[role].person
    assert api.get("admin", "/api/v1/me").json()["roles"] == ["admin"]
    assert api.get("manager", "/api/v1/me").json()["role"] == "manager"
    assert api.get("member", "/api/v1/me").json()["role"] == "member"


def test_hidden_and_unknown_items_are_the_same_404_everywhere(api: Api) -> None:
    demo = api.demo
    unknown_kpi = "does-not-exist"

    def same_404(role: str, paths: list[str], method: str = "GET") -> None:
        bodies = []
        for path in paths:
            if method == "GET":
                response = api.get(role, path)
            else:
                response = api.post(role, path, {"values": [{"period": "2026-Q1", "value": 1}]})
            body = assert_problem(response, 404)
            bodies.append({k: v for k, v in body.items() if k != "instance"})
        assert all(b == bodies[0] for b in bodies), bodies

    kpis = [unknown_kpi, demo.hidden_kpi, demo.restricted_kpi]
    same_404("member", [f"/api/v1/kpis/{k}" for k in kpis])
    same_404("member", [f"/api/v1/kpis/{k}/evaluations" for k in kpis])
    same_404("member", [f"/api/v1/kpis/{k}/values" for k in kpis], method="POST")
    # The restriction names the manager alone: the manager and admins see it.
    assert api.get("manager", f"/api/v1/kpis/{demo.restricted_kpi}").status_code == 200
    assert api.get("admin", f"/api/v1/kpis/{demo.restricted_kpi}").status_code == 200
    assert api.get("admin", f"/api/v1/kpis/{demo.restricted_kpi}").json()["restricted"] is True
    for role in ROLES:
        assert_problem(api.get(role, f"/api/v1/kpis/{unknown_kpi}"), 404)
        assert_problem(api.get(role, "/api/v1/initiatives/nothing-here"), 404)
    hidden_people = _hidden(api, "/api/v1/people")
    hidden_initiatives = _hidden(api, "/api/v1/initiatives")
    assert hidden_people and hidden_initiatives
    same_404("member", ["/api/v1/people/p-9999", f"/api/v1/people/{hidden_people[0]}"])
    same_404("member", [f"/api/v1/people/{p}/scorecard" for p in ("p-9999", hidden_people[0])])
    same_404("member", [f"/api/v1/initiatives/{i}" for i in ("nope", hidden_initiatives[0])])
    for path in ("/api/v1/objectives/nope", "/api/v1/units/nope", "/api/v1/people/p-9999"):
        assert_problem(api.get("admin", path), 404)


def _hidden(api: Api, path: str) -> list[str]:
    """Ids the admin sees in a list and the member does not."""
    every = {i["id"] for i in api.all_items("admin", path)}
    return sorted(every - {i["id"] for i in api.all_items("member", path)})


def test_lists_hold_and_count_only_what_each_role_may_open(api: Api) -> None:
    demo = api.demo
    everything = {i["id"] for i in api.all_items("admin", "/api/v1/kpis")}
    for role in ("manager", "member"):
        listed = {i["id"] for i in api.all_items(role, "/api/v1/kpis")}
        openable = {k for k in everything if api.get(role, f"/api/v1/kpis/{k}").status_code == 200}
        assert listed == openable, role
    member = {i["id"] for i in api.all_items("member", "/api/v1/kpis")}
    assert demo.members_kpi in member
    assert demo.hidden_kpi not in member and demo.restricted_kpi not in member
    assert demo.restricted_kpi in {i["id"] for i in api.all_items("manager", "/api/v1/kpis")}
    for path in ("/api/v1/initiatives", "/api/v1/people"):
        for item in api.all_items("member", path):
            assert api.get("member", f"{path}/{item['id']}").status_code == 200, item
    # Filters, searches and counts leave hidden KPIs out as well.
    hidden = api.get("admin", f"/api/v1/kpis/{demo.hidden_kpi}").json()
    assert api.get("member", "/api/v1/kpis", q=hidden["name"]).json()["total"] == 0
    by_owner = api.all_items("member", "/api/v1/kpis", owner=hidden["owner"]["id"])
    assert demo.hidden_kpi not in {i["id"] for i in by_owner}
    for slug in (demo.hidden_kpi, demo.restricted_kpi):
        found = api.get("member", "/api/v1/search", q=slug).json()
        assert found["counts"]["kpis"] == 0 and not found["hits"]["kpis"]
        for exception in api.all_items("member", "/api/v1/exceptions", state="all"):
            assert exception["kpi"] != slug
        unit = api.get("admin", f"/api/v1/kpis/{slug}").json()["unit"]["id"]
        card = api.get("member", f"/api/v1/units/{unit}").json()["business_scorecard"]
        assert slug not in {i["kpi"] for i in card}
        assert not api.all_items("member", "/api/v1/exceptions", kpi=slug, state="all")
    admin_count = {o["id"]: o["kpi_count"] for o in api.all_items("admin", "/api/v1/objectives")}
    for objective in api.all_items("member", "/api/v1/objectives"):
        assert objective["kpi_count"] <= admin_count[objective["id"]]
        serving = api.all_items("member", "/api/v1/kpis", objective=objective["id"])
        assert len(serving) == objective["kpi_count"]


def test_kpi_filters(api: Api) -> None:
    every = api.all_items("admin", "/api/v1/kpis")
    on_track = api.all_items("admin", "/api/v1/kpis", status="on_track")
    assert on_track and {i["status"] for i in on_track} == {"on_track"}
    assert len(on_track) == sum(i["status"] == "on_track" for i in every)
    team = api.all_items("admin", "/api/v1/kpis", unit="assembly-1")
    assert {i["unit"]["id"] for i in team} <= {"assembly-1"}
    division = {i["id"] for i in api.all_items("admin", "/api/v1/kpis", unit="operations")}
    assert {i["id"] for i in team} <= division < {i["id"] for i in every}
    named = api.all_items("admin", "/api/v1/kpis", q="pump")
    assert named and all("pump" in i["name"].lower() for i in named)
    owner = every[0]["owner"]["id"]
    owned = api.all_items("admin", "/api/v1/kpis", owner=owner)
    assert owned and {i["owner"]["id"] for i in owned} == {owner}
    assert api.get("admin", "/api/v1/kpis", owner="p-9999").json()["total"] == 0
    assert assert_problem(api.get("admin", "/api/v1/kpis", unit="atlantis"), 404)
    invalid = assert_problem(api.get("admin", "/api/v1/kpis", status="great"), 422)
    assert invalid["errors"][0]["where"] == "query.status"


def test_kpi_detail_has_its_definition_people_and_latest_record(api: Api) -> None:
    kpi = api.get("member", f"/api/v1/kpis/{api.demo.members_kpi}").json()
    for field in ("definition", "polarity", "frequency", "owner", "unit", "source"):
        assert kpi[field], field
    assert {"influencers", "objectives", "forecast", "line_of_sight"} <= set(kpi)
    assert kpi["source"]["kind"] in ("query", "manual")
    latest = kpi["latest"]
    assert set(latest) >= DOCUMENTED
    assert latest["kpi"] == api.demo.members_kpi and latest["unit"] is None
    assert latest["status"] in ("on_track", "at_risk", "off_track", "no_data", "stale")
    assert latest["forecast"] == kpi["forecast"]
    revenue = api.get("admin", "/api/v1/kpis/revenue", unit="region-north").json()
    assert revenue["slice"] == "region-north" and revenue["latest"]["unit"] == "region-north"
    assert any(s["unit"]["id"] == "region-north" for s in revenue["slices"])


def test_evaluations_are_newest_first_and_sliced_by_unit(api: Api) -> None:
    history = api.all_items("admin", "/api/v1/kpis/revenue/evaluations")
    periods = [r["period"] for r in history]
    assert periods == sorted(periods, reverse=True) and len(periods) > 12
    assert all(set(r) >= DOCUMENTED and r["unit"] is None for r in history)
    assert history[0]["partial"] is True  # the current, open period
    with_forecast = [r for r in history if r["forecast"]]
    assert len(with_forecast) <= 1
    north = api.all_items("admin", "/api/v1/kpis/revenue/evaluations", unit="region-north")
    assert north and {r["unit"] for r in north} == {"region-north"}
    assert_problem(api.get("admin", "/api/v1/kpis/revenue/evaluations", unit="atlantis"), 404)


def test_pagination_has_links_totals_and_bounds(api: Api) -> None:
    every = api.all_items("admin", "/api/v1/kpis")
    first = api.get("admin", "/api/v1/kpis", per_page=5)
    body = first.json()
    assert body["page"] == 1 and body["per_page"] == 5 and body["total"] == len(every)
    links = _links(first)
    last = -(-len(every) // 5)
    assert set(links) == {"first", "next", "last"}
    assert "page=2" in links["next"] and "per_page=5" in links["next"]
    assert f"page={last}" in links["last"]
    seen: list[str] = []
    url: str | None = links["first"]
    while url:
        page = api.client.get(url, headers=api.headers("admin"))
        seen += [i["id"] for i in page.json()["items"]]
        url = _links(page).get("next")
    assert seen == [i["id"] for i in every]
    filtered = api.get("admin", "/api/v1/kpis", per_page=2, q="e", page=2)
    assert "q=e" in _links(filtered)["prev"] and "page=1" in _links(filtered)["prev"]
    beyond = api.get("admin", "/api/v1/kpis", per_page=5, page=last + 3)
    assert beyond.status_code == 200
    assert beyond.json()["items"] == [] and beyond.json()["total"] == len(every)
    assert f"page={last}" in _links(beyond)["prev"] and "next" not in _links(beyond)
    for params, field in (({"page": 0}, "query.page"), ({"per_page": 501}, "query.per_page")):
        problem = assert_problem(api.get("admin", "/api/v1/kpis", **params), 422)
        assert problem["errors"][0]["where"] == field
    assert api.get("admin", "/api/v1/kpis", per_page=500).status_code == 200


def _links(response: Response) -> dict[str, str]:
    """The Link header's targets by relation."""
    return {
        rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["link"])
    }


def test_scorecard_items_carry_their_record_and_line_of_sight(api: Api) -> None:
    member = api.demo.logins["member"].person
    card = api.get("member", f"/api/v1/people/{member}/scorecard").json()
    kpis = [i for i in card["items"] if i["kind"] == "kpi"]
    assert kpis and any(i["id"] == api.demo.members_kpi for i in kpis)
    for item in kpis:
        assert item["record"] and set(item["record"]) >= DOCUMENTED
        assert item["record"]["kpi"] == item["id"] and item["record"]["unit"] == item["unit"]
    assert any(i["line_of_sight"] for i in card["items"])
    steps = [s for i in card["items"] for path in i["line_of_sight"] for s in path]
    assert {s["kind"] for s in steps} <= {"objective", "vision_target"}
    assert card["hidden_items"] is not None  # the person's own card
    seen_by_manager = api.get("manager", f"/api/v1/people/{member}/scorecard").json()
    assert seen_by_manager["hidden_items"] is None
    person = api.get("manager", f"/api/v1/people/{member}").json()
    assert person["reporting_line"][0]["id"] and person["unit"]["id"]


def test_objectives_initiatives_units_gaps_and_search(api: Api) -> None:
    objectives = api.all_items("admin", "/api/v1/objectives")
    ids = {o["id"] for o in objectives}
    assert all(o["parent"] is None or o["parent"] in ids for o in objectives)
    assert all(o["depth"] == 0 for o in objectives if o["parent"] is None)
    top = objectives[0]
    detail = api.get("admin", f"/api/v1/objectives/{top['id']}").json()
    assert {c["id"] for c in detail["children"]} == {
        o["id"] for o in objectives if o["parent"] == top["id"]
    }
    initiative = api.all_items("admin", "/api/v1/initiatives")[0]["id"]
    one = api.get("admin", f"/api/v1/initiatives/{initiative}").json()
    assert one["milestones"] and one["health"]["status"] and "contributions" in one
    unit = api.get("admin", "/api/v1/units/operations").json()
    assert unit["parents"] == [{"id": "tidewell", "name": unit["parents"][0]["name"]}]
    assert unit["children"] and unit["people"] >= 0
    gaps = api.all_items("member", "/api/v1/vision-gaps")
    assert gaps and {"vision_target", "gap", "covered", "uncovered"} <= set(gaps[0])
    member_kpis = {i["id"] for i in api.all_items("member", "/api/v1/kpis")}
    assert all(g["kpi"] is None or g["kpi"] in member_kpis for g in gaps)
    open_ones = api.all_items("admin", "/api/v1/exceptions")
    every = api.all_items("admin", "/api/v1/exceptions", state="all")
    assert all(x["closed_at"] is None for x in open_ones) and len(every) >= len(open_ones)
    found = api.get("member", "/api/v1/search", q="pump", kind="kpis").json()
    assert set(found["hits"]) == {"kpis"} and found["total"] == found["counts"]["kpis"]


def test_openapi_document_is_complete_and_typed(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "Problem" in schemas
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            where = f"{method} {path}"
            assert operation.get("summary") and operation.get("description"), where
            assert operation.get("tags"), where
            success = operation["responses"].get("201") or operation["responses"]["200"]
            schema = success["content"]["application/json"]["schema"]
            assert schema.get("$ref"), where
            assert schema["$ref"].split("/")[-1] in schemas
            for status in ("401", "404", "422"):
                problem = operation["responses"][status]["content"]
                assert "application/problem+json" in problem, where
    values = document["paths"]["/api/v1/kpis/{kpi}/values"]["post"]["responses"]
    assert {"201", "403", "409"} <= set(values)
