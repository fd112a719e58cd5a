"""A small demo organisation served by the web app, with a signed-in client per role.

`build_web_demo` applies, refreshes and evaluates a 20-person demo as of DAY on any database
URL and creates the demo's three sign-ins (admin, manager, member) plus, for permission tests,
a restricted KPI. `sign_in` returns a TestClient with a session cookie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.demo.logins import DEMO_PASSWORD, DemoLogin, demo_logins
from aligna.evaluate.service import evaluate_all
from aligna.files.service import apply_project, validate_project
from aligna.measure.refresh import refresh
from aligna.settings import Settings, load_settings
from aligna.web.app import create_app

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class WebDemo:
    """A demo database ready to serve, and who can sign in to it."""

    folder: Path
    settings: Settings
    logins: dict[str, DemoLogin]  # by role: admin, manager, member
    restricted_kpi: str  # restricted to the manager alone
    members_kpi: str  # a KPI on the member's own scorecard
    hidden_kpi: str  # not public, not the member's, not restricted: hidden from the member


def build_web_demo(folder: Path, database_url: str | None = None) -> WebDemo:
    """Build, apply, refresh and evaluate the 20-person demo; create sign-ins and a restriction."""
    build_demo_project(folder, people=20, seed=7, today=DAY)
    settings = (
        load_settings(folder, database_url=database_url) if database_url else load_settings(folder)
    )
    engine = open_database(settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            apply_project(session, validate_project(folder), actor="t", message="demo")
        refresh(engine, settings, today=DAY)
        evaluate_all(engine, as_of=DAY)
        with session_scope(engine) as session:
            logins = {login.role: login for login in demo_logins(session)}
            restricted, members, hidden = _pick_kpis(session, logins)
        # The restriction is declared in the project files, as the strategy office would.
        manager = logins["manager"].person
        kpis = folder / "kpis.yaml"
        kpis.write_text(
            kpis.read_text().replace(
                f"  - id: {restricted}\n",
                f"  - id: {restricted}\n    restricted_to: {{people: [{manager}]}}\n",
                1,
            )
        )
        with session_scope(engine) as session:
            apply_project(session, validate_project(folder), actor="t", message="restrict")
    finally:
        engine.dispose()
    return WebDemo(folder, settings, logins, restricted, members, hidden)


def _pick_kpis(session, logins: dict[str, DemoLogin]) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A KPI to restrict to the manager, one on the member's card, one hidden from them."""
    people = dict(session.execute(select(m.Person.slug, m.Person.id)).all())
    member = people[logins["member"].person]
    own = set(
        session.execute(
            select(m.ScorecardItem.kpi_id).where(
                m.ScorecardItem.person_id == member, m.ScorecardItem.kpi_id.is_not(None)
            )
        ).scalars()
    )
    influenced = set(
        session.execute(
            select(m.KpiInfluencer.kpi_id).where(m.KpiInfluencer.person_id == member)
        ).scalars()
    )
    kpis = session.execute(
        select(m.Kpi.id, m.Kpi.slug, m.Kpi.public, m.Kpi.owner_id).order_by(m.Kpi.slug)
    ).all()
    members_kpi = next(k.slug for k in kpis if k.id in own)
    hidden = [
        k
        for k in kpis
        if k.id not in own and k.id not in influenced and not k.public and k.owner_id != member
    ]
    return hidden[0].slug, members_kpi, hidden[1].slug


def make_app(demo: WebDemo, engine: Engine | None = None) -> FastAPI:
    """The app serving the demo, with the clock at NOW."""
    return create_app(demo.settings, engine=engine, clock=lambda: NOW)


def sign_in(app: FastAPI, email: str, password: str = PASSWORD) -> TestClient:
    """A client signed in through the sign-in form (CSRF token and cookie included)."""
    client = TestClient(app)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return client


def csrf_of(client: TestClient, path: str = "/account") -> str:
    """The session's CSRF token, as a page's forms carry it."""
    page = client.get(path)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text[:500]
    return token.group(1)
