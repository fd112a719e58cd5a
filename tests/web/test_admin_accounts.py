"""Admin: accounts and roles on the web: list and search, create, grant, revoke, disable, reset."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import WebDemo, build_web_demo, csrf_of, make_app, sign_in

from aligna import model as m
from aligna.db import open_database, session_scope


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("admin-accounts") / "demo")


@pytest.fixture(scope="module")
def app(demo: WebDemo) -> FastAPI:
    return make_app(demo)


@pytest.fixture(scope="module")
def admin(app: FastAPI, demo: WebDemo) -> TestClient:
    return sign_in(app, demo.logins["admin"].email)


def account_id(demo: WebDemo, email: str) -> int:
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            return session.execute(
                select(m.Account.id).where(m.Account.email == email.lower())
            ).scalar_one()
    finally:
        engine.dispose()


def person_without_account(demo: WebDemo, skip: int = 0) -> tuple[str, str]:
    """A live person (id, email) who has no account yet."""
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            rows = session.execute(
                select(m.Person.slug, m.Person.email)
                .where(
                    m.Person.archived_at.is_(None),
                    m.Person.id.not_in(
                        select(m.Account.person_id).where(m.Account.person_id.is_not(None))
                    ),
                )
                .order_by(m.Person.slug)
            ).all()
            return rows[skip].slug, rows[skip].email
    finally:
        engine.dispose()


def post(client: TestClient, path: str, **data: object) -> object:
    return client.post(path, data={"csrf_token": csrf_of(client, "/admin/accounts"), **data})


def test_the_list_is_searchable_paginated_and_labelled(demo: WebDemo, admin: TestClient) -> None:
    page = admin.get("/admin/accounts")
    assert page.status_code == 200
    html = page.text
    for login in demo.logins.values():
        assert login.email in html
    assert "<caption" in html and '<label for="accounts-q">' in html
    assert '<label for="create-person">' in html and '<label for="create-email">' in html
    manager = demo.logins["manager"]
    found = admin.get("/admin/accounts", params={"q": manager.email.split("@")[0]}).text
    assert manager.email in found and demo.logins["member"].email not in found
    admins = admin.get("/admin/accounts", params={"role": "admin"}).text
    assert demo.logins["admin"].email in admins and manager.email not in admins
    nothing = admin.get("/admin/accounts", params={"q": "no-such-account%_"}).text
    assert "No accounts match" in nothing


def test_create_for_a_person_shows_a_usable_reset_link(
    demo: WebDemo, admin: TestClient, app: FastAPI
) -> None:
    slug, email = person_without_account(demo)
    page = post(admin, "/admin/accounts", person=slug, roles="strategy_office", valid_for="24")
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    assert f"Created the account {email.lower()}" in html
    link = re.search(r'<code class="token">(/reset/[A-Za-z0-9_-]+)</code>', html)
    assert link, html[:3000]
    assert "valid 24 hours" in html
    assert "strategy office" in html
    fresh = TestClient(app)
    assert fresh.get(link[1]).status_code == 200
    # By email too; a second account for the same person is refused on the page.
    again = post(admin, "/admin/accounts", person=email)
    assert again.status_code == 400
    assert 'role="alert"' in again.text and "already" in again.text
    unknown = post(admin, "/admin/accounts", person="nobody-here")
    assert unknown.status_code == 400 and "no person" in unknown.text


def test_grant_and_revoke_a_role(demo: WebDemo, admin: TestClient, app: FastAPI) -> None:
    member = demo.logins["member"]
    member_client = sign_in(app, member.email)
    assert member_client.get("/admin").status_code == 403
    target = account_id(demo, member.email)
    granted = post(admin, f"/admin/accounts/{target}/roles", role="admin", action="grant")
    assert granted.status_code == 200 and "Granted admin" in granted.text
    assert member_client.get("/admin").status_code == 200
    revoked = post(admin, f"/admin/accounts/{target}/roles", role="admin", action="revoke")
    assert revoked.status_code == 200 and "Revoked admin" in revoked.text
    # Taking the role away ended the member's sessions: signed out, not only demoted.
    gone = member_client.get("/admin", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    bad = post(admin, f"/admin/accounts/{target}/roles", role="owner", action="grant")
    assert bad.status_code == 400 and "unknown role" in bad.text


def test_an_admin_cannot_lock_themselves_out(demo: WebDemo, admin: TestClient) -> None:
    me = account_id(demo, demo.logins["admin"].email)
    revoke = post(admin, f"/admin/accounts/{me}/roles", role="admin", action="revoke")
    assert revoke.status_code == 400 and 'role="alert"' in revoke.text
    disable = post(admin, f"/admin/accounts/{me}/disable")
    assert disable.status_code == 400
    assert admin.get("/admin").status_code == 200


def test_disable_ends_the_sessions_and_issue_a_reset_link(
    demo: WebDemo, admin: TestClient, app: FastAPI
) -> None:
    manager = demo.logins["manager"]
    manager_client = sign_in(app, manager.email)
    assert manager_client.get("/map").status_code == 200
    target = account_id(demo, manager.email)
    reset = post(admin, f"/admin/accounts/{target}/reset", valid_for="1")
    link = re.search(r'<code class="token">(/reset/[A-Za-z0-9_-]+)</code>', reset.text)
    assert reset.status_code == 200 and link
    assert TestClient(app).get(link[1]).status_code == 200
    disabled = post(admin, f"/admin/accounts/{target}/disable")
    assert disabled.status_code == 200 and "Disabled" in disabled.text
    assert "disabled" in admin.get(f"/admin/accounts/{target}").text
    after = manager_client.get("/map", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    # The reset link of a disabled account no longer works, and no new one is issued.
    assert TestClient(app).get(link[1]).status_code == 400
    refused = post(admin, f"/admin/accounts/{target}/reset")
    assert refused.status_code == 400 and "disabled" in refused.text
    # Enabled again: a fresh sign-in works; the old session stays ended.
    enabled = post(admin, f"/admin/accounts/{target}/enable")
    assert enabled.status_code == 200 and "Enabled: it can sign in again." in enabled.text
    assert manager_client.get("/map", follow_redirects=False).status_code == 303
    assert sign_in(app, manager.email).get("/map").status_code == 200


def test_an_unknown_account_is_404(admin: TestClient) -> None:
    assert admin.get("/admin/accounts/999999").status_code == 404
    assert post(admin, "/admin/accounts/999999/disable").status_code == 404


def test_the_list_pages_through_many_accounts(demo: WebDemo, admin: TestClient) -> None:
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            session.add_all(m.Account(email=f"service-{i:03}@paging.example") for i in range(60))
    finally:
        engine.dispose()
    first = admin.get("/admin/accounts", params={"q": "@paging.example"}).text
    assert "Page 1 of 2 (60 in all)" in first
    assert 'href="/admin/accounts?q=%40paging.example&amp;page=2"' in first
    second = admin.get("/admin/accounts", params={"q": "@paging.example", "page": 2}).text
    assert "service-059@paging.example" in second and "service-000@" not in second
