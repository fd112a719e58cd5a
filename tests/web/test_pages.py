"""The pages as each demo role sees them: content, links, and 404 for what is hidden."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_support import WebDemo, build_web_demo, make_app, sign_in


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("pages") / "demo")


@pytest.fixture(scope="module")
def clients(demo: WebDemo) -> dict[str, TestClient]:
    app = make_app(demo)
    return {role: sign_in(app, login.email) for role, login in demo.logins.items()}


def test_signed_out_pages_go_to_sign_in_and_the_api_answers_401(demo: WebDemo) -> None:
    client = TestClient(make_app(demo))
    response = client.get("/map", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/map"
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Sign-in required"
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json()["status"] == "ready"


def test_my_scorecard_shows_items_with_status_words_and_lines_of_sight(
    demo: WebDemo, clients: dict[str, TestClient]
) -> None:
    page = clients["member"].get("/")
    assert page.status_code == 200
    html = page.text
    assert "My scorecard" in html and demo.logins["member"].name in html
    assert f'href="/kpis/{demo.members_kpi}' in html
    # Status is never colour alone: an icon and a word in every status badge.
    badges = re.findall(
        r'<span class="status status-(\w+)"><span class="icon" aria-hidden="true">(.)</span>'
        r" ([a-z ]+)</span>",
        html,
    )
    assert badges and all(
        word.replace(" ", "_") == cls or cls == "no_data" for cls, _, word in badges
    )
    assert 'aria-label="Line of sight to the vision"' in html
    assert html.count('role="img"') >= 2  # bullet graphs and sparklines


def test_member_cannot_see_a_hidden_or_restricted_kpi_anywhere(
    demo: WebDemo, clients: dict[str, TestClient]
) -> None:
    member = clients["member"]
    for slug in (demo.hidden_kpi, demo.restricted_kpi):
        assert member.get(f"/kpis/{slug}").status_code == 404
        assert member.get(f"/kpis/{slug}/explain").status_code == 404
        assert f"/kpis/{slug}" not in member.get("/map").text
        assert f"/kpis/{slug}" not in member.get(f"/search?q={slug}").text
    assert member.get(f"/kpis/{demo.members_kpi}").status_code == 200


def test_restricted_kpi_is_seen_by_the_named_manager_and_admin_only(
    demo: WebDemo, clients: dict[str, TestClient]
) -> None:
    assert clients["manager"].get(f"/kpis/{demo.restricted_kpi}").status_code == 200
    assert clients["admin"].get(f"/kpis/{demo.restricted_kpi}").status_code == 200
    page = clients["admin"].get(f"/kpis/{demo.restricted_kpi}").text
    assert ">restricted<" in page


def test_kpi_page_has_chart_values_explain_and_target_history(
    demo: WebDemo, clients: dict[str, TestClient]
) -> None:
    page = clients["admin"].get(f"/kpis/{demo.members_kpi}")
    html = page.text
    assert 'class="kpi-chart"' in html or "kpi-chart" in html
    assert "Values" in html and "Target changes" in html and "Explain these numbers" in html
    explain = clients["admin"].get(
        f"/kpis/{demo.members_kpi}/explain", headers={"HX-Request": "true"}
    )
    assert explain.status_code == 200 and "<html" not in explain.text
    assert "status" in explain.text and "score" in explain.text


def test_every_main_page_answers_for_every_role(
    demo: WebDemo, clients: dict[str, TestClient]
) -> None:
    for role, client in clients.items():
        for path in (
            "/map",
            "/objectives",
            "/search?q=pump",
            "/learn",
            "/learn/glossary",
            "/account",
        ):
            assert client.get(path).status_code == 200, (role, path)
    assert clients["member"].get("/admin").status_code == 403
    assert clients["manager"].get("/admin").status_code == 403
    assert clients["admin"].get("/admin").status_code == 200


def test_the_map_filters_by_unit_and_name(demo: WebDemo, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    whole = admin.get("/map").text
    kpis = set(re.findall(r'href="/kpis/([a-z0-9-]+)"', whole))
    first_name = re.search(r'<a href="/kpis/[a-z0-9-]+">([^<]+)</a>', whole)
    assert first_name and len(kpis) >= 10
    found = admin.get("/map", params={"q": first_name.group(1)}).text
    assert set(re.findall(r'href="/kpis/([a-z0-9-]+)"', found)) < kpis
    unit = re.search(r'<option value="([a-z0-9-]+)"', whole)
    assert unit
    scoped = admin.get("/map", params={"unit": unit.group(1)})
    assert scoped.status_code == 200 and "selected" in scoped.text
    assert admin.get("/map", params={"unit": "no-such-unit"}).status_code == 404
