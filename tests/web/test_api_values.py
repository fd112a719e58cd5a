"""Manual KPI values through the API: who may write, validation naming the row, CSRF, audit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from test_api import BACKENDS, Api, assert_problem, database_for, serve, token_for
from web_support import DAY, NOW, PASSWORD, build_web_demo, csrf_of, sign_in

from aligna import model as m
from aligna.db import session_scope
from aligna.enums import InfluencerKind
from aligna.evaluate.service import evaluate_all
from aligna.web.auth.accounts import create_account

MANUAL = "employee-engagement"  # the demo's manual KPI: quarterly, owned by a team lead


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The demo with a token for the manual KPI's owner, and the member as its influencer."""
    demo = build_web_demo(tmp_path_factory.mktemp("values") / "demo", database_for(request))
    for served in serve(demo):
        with session_scope(served.engine) as session:
            kpi = session.execute(select(m.Kpi).where(m.Kpi.slug == MANUAL)).scalar_one()
            owner = session.get(m.Person, kpi.owner_id)
            assert owner is not None
            create_account(
                session=session, email=owner.email, now=NOW, person=owner.id, password=PASSWORD
            )
            member = session.execute(
                select(m.Person.id).where(m.Person.slug == demo.logins["member"].person)
            ).scalar_one()
            # The member may then see the KPI, yet not write it: a 403, not a 404.
            session.add(
                m.KpiInfluencer(kpi_id=kpi.id, person_id=member, kind=InfluencerKind.lateral)
            )
            email = owner.email
        served.tokens["owner"] = token_for(served.engine, email)
        yield served


def values(*rows: dict[str, Any]) -> dict[str, Any]:
    """A request body of values."""
    return {"values": list(rows)}


def observations(api: Api) -> int:
    """How many values the store holds for the manual KPI, every revision included."""
    with session_scope(api.engine) as session:
        return session.execute(
            select(func.count())
            .select_from(m.Observation)
            .join(m.Kpi, m.Kpi.id == m.Observation.kpi_id)
            .where(m.Kpi.slug == MANUAL)
        ).scalar_one()


def test_the_owner_records_values_with_a_token_and_they_are_stored_and_audited(api: Api) -> None:
    path = f"/api/v1/kpis/{MANUAL}/values"
    response = api.post(
        "owner", path, values({"period": "2026-Q1", "value": 71.5, "note": "pulse"})
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kpi"] == MANUAL and body["change_set"]
    assert [(w["period"], w["value"], w["unit"]) for w in body["written"]] == [
        ("2026-Q1", 71.5, None)
    ]
    with session_scope(api.engine) as session:
        kpi_id = session.execute(select(m.Kpi.id).where(m.Kpi.slug == MANUAL)).scalar_one()
        stored = session.execute(
            select(m.Observation).where(
                m.Observation.kpi_id == kpi_id,
                m.Observation.period == "2026-Q1",
                m.Observation.superseded_at.is_(None),
            )
        ).scalar_one()
        owner = session.execute(
            select(m.Person.email)
            .join(m.Kpi, m.Kpi.owner_id == m.Person.id)
            .where(m.Kpi.id == kpi_id)
        ).scalar_one()
        assert (stored.value, stored.note, stored.source) == (71.5, "pulse", "manual")
        assert stored.actor == owner
        change_set = session.get(m.ChangeSet, body["change_set"])
        assert change_set is not None and change_set.actor == owner
        entries = session.execute(
            select(m.AuditEntry).where(m.AuditEntry.change_set_id == change_set.id)
        ).scalars()
        assert [(e.entity_kind, e.entity_id, e.after["value"]) for e in entries] == [
            ("observation", f"{MANUAL}/2026-Q1", 71.5)
        ]
    # The same value again changes nothing; evaluation (run separately) then reads it.
    again = api.post("owner", path, values({"period": "2026-Q1", "value": 71.5}))
    assert again.status_code == 201
    assert again.json()["written"] == [] and again.json()["unchanged"] == 1
    assert again.json()["change_set"] is None
    evaluate_all(api.engine, as_of=DAY)
    history = api.all_items("owner", f"/api/v1/kpis/{MANUAL}/evaluations")
    assert next(r for r in history if r["period"] == "2026-Q1")["actual"] == 71.5


def test_only_the_owner_admins_and_the_strategy_office_may_write(api: Api) -> None:
    path = f"/api/v1/kpis/{MANUAL}/values"
    body = values({"period": "2026-Q2", "value": 70})
    before = observations(api)
    assert api.get("member", f"/api/v1/kpis/{MANUAL}").status_code == 200  # seen, as influencer
    for role in ("member", "manager"):
        assert api.get(role, f"/api/v1/kpis/{MANUAL}").status_code == 200
        assert assert_problem(api.post(role, path, body), 403)["title"] == "Forbidden"
    assert_problem(api.post(None, path, body), 401)
    assert observations(api) == before
    assert api.post("admin", path, body).status_code == 201
    assert observations(api) == before + 1
    # A query KPI's values belong to its warehouse.
    conflict = assert_problem(api.post("admin", "/api/v1/kpis/revenue/values", body), 409)
    assert "query" in conflict["detail"]


@pytest.mark.parametrize(
    ("rows", "where", "words"),
    [
        ([{"period": "2026-13", "value": 1}], "body.values.0.period", "2026-13"),
        ([{"period": "2026-05", "value": 1}], "body.values.0.period", "quarter"),
        ([{"period": "2026-Q4", "value": 1}], "body.values.0.period", "future"),
        (
            [{"period": "2026-Q1", "value": 1}, {"period": "2025-Q4", "value": "many"}],
            "body.values.1.value",
            "number",
        ),
        ([{"period": "2025-Q4", "value": True}], "body.values.0.value", "number"),
        ([{"period": "2025-Q4", "value": 1, "unit": "assembly-1"}], "body.values.0.unit", "unit"),
        (
            [{"period": "2025-Q3", "value": 1}, {"period": "2025-Q3", "value": 2}],
            "body.values.1.period",
            "again",
        ),
        ([{"value": 1}], "body.values.0.period", "required"),
        ([], "body.values", "at least 1"),
    ],
)
def test_bad_values_are_a_422_naming_the_row_and_field_and_nothing_is_written(
    api: Api, rows: list[dict[str, Any]], where: str, words: str
) -> None:
    before = observations(api)
    response = api.post("owner", f"/api/v1/kpis/{MANUAL}/values", values(*rows))
    problem = assert_problem(response, 422)
    assert where in [e["where"] for e in problem["errors"]], problem
    assert words in problem["detail"], problem
    assert observations(api) == before


def test_cookie_sessions_need_the_csrf_header_and_tokens_do_not(api: Api) -> None:
    path = f"/api/v1/kpis/{MANUAL}/values"
    browser = sign_in(api.client.app, api.demo.logins["admin"].email)  # type: ignore[arg-type]
    body = values({"period": "2025-Q2", "value": 64})
    refused = assert_problem(browser.post(path, json=body), 403)
    assert refused["title"] == "CSRF check failed"
    wrong = browser.post(path, json=body, headers={"X-CSRF-Token": "not-it"})
    assert_problem(wrong, 403)
    accepted = browser.post(path, json=body, headers={"X-CSRF-Token": csrf_of(browser)})
    assert accepted.status_code == 201, accepted.text
    token = api.post("admin", path, values({"period": "2025-Q2", "value": 65}))
    assert token.status_code == 201 and token.json()["written"][0]["previous"] == 64
