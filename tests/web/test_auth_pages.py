"""Signing in and out in the browser's way: cookies, CSRF, rate limits, reset links, tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORD, WebDemo, build_web_demo, csrf_of, make_app, sign_in

from aligna.db import session_scope
from aligna.model.base import utcnow
from aligna.web.auth.accounts import get_account
from aligna.web.auth.tokens import create_reset_token, reset_path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("auth-pages") / "demo")


def _form_token(client: TestClient, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert token
    return token.group(1)


def test_the_session_cookie_is_signed_httponly_and_samesite(demo: WebDemo) -> None:
    app = make_app(demo)
    client = TestClient(app)
    token = _form_token(client, "/login")
    response = client.post(
        "/login",
        data={"email": demo.logins["member"].email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("aligna_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "." in value  # token.signature
    tampered = TestClient(app, cookies={"aligna_session": value[:-2] + "xx"})
    assert tampered.get("/", follow_redirects=False).status_code == 303


def test_sign_in_needs_the_form_token(demo: WebDemo) -> None:
    client = TestClient(make_app(demo))
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": demo.logins["member"].email, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 403


def test_five_wrong_passwords_lock_the_sign_in_with_retry_after(demo: WebDemo) -> None:
    client = TestClient(make_app(demo))
    email = demo.logins["manager"].email
    for _ in range(5):
        wrong = client.post(
            "/login",
            data={
                "email": email,
                "password": "not the password",
                "csrf_token": _form_token(client, "/login"),
            },
        )
        assert wrong.status_code == 400 and "Wrong email or password." in wrong.text
    locked = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _form_token(client, "/login")},
    )
    # The clock stands still at NOW: 15 minutes from the first failure are all left.
    assert locked.status_code == 429 and locked.headers["retry-after"] == "900"
    assert "Too many failed sign-ins: try again in 15 min." in locked.text


def test_sign_out_ends_the_session_for_good(demo: WebDemo) -> None:
    client = sign_in(make_app(demo), demo.logins["member"].email)
    cookie = client.cookies.get("aligna_session")
    response = client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    replay = TestClient(client.app, cookies={"aligna_session": cookie or ""})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_a_reset_link_sets_a_password_once(demo: WebDemo) -> None:
    app = make_app(demo)
    engine = app.state.aligna.engine
    email = demo.logins["member"].email
    with session_scope(engine) as session:
        account = get_account(session=session, email=email)
        path = reset_path(create_reset_token(session=session, account=account, now=utcnow()))
    client = TestClient(app)
    token = _form_token(client, path)
    short = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 400 and "12" in short.text
    new = "a brand new passphrase"
    done = client.post(
        path,
        data={"password": new, "confirm": new, "csrf_token": _form_token(client, path)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    assert client.get(path).status_code == 400  # single use
    sign_in(app, email, new)
    with session_scope(engine) as session:  # put the demo password back for other tests
        from aligna.web.auth.accounts import set_password

        set_password(
            session=session,
            account=get_account(session=session, email=email),
            password=PASSWORD,
            now=utcnow(),
        )


def test_api_tokens_are_shown_once_and_work_as_bearer(demo: WebDemo) -> None:
    app = make_app(demo)
    client = sign_in(app, demo.logins["member"].email)
    page = client.post(
        "/account/tokens", data={"name": "report script", "csrf_token": csrf_of(client)}
    )
    token = re.search(r'<code class="token">(aligna_[^<]+)</code>', page.text)
    assert token
    bearer = TestClient(app, headers={"Authorization": f"Bearer {token.group(1)}"})
    assert bearer.get("/api/v1/me").json()["person"] == demo.logins["member"].person
    assert token.group(1) not in client.get("/account").text  # shown once only
    revoke = re.search(r'action="(/account/tokens/\d+/revoke)"', client.get("/account").text)
    assert revoke
    client.post(revoke.group(1), data={"csrf_token": csrf_of(client)})
    assert bearer.get("/api/v1/me").status_code == 401


def test_a_forgotten_password_gives_a_reset_link_in_the_log(
    demo: WebDemo, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(make_app(demo))
    email = demo.logins["admin"].email  # the manager's address is locked by another test
    with caplog.at_level("WARNING", logger="aligna.web"):
        answer = client.post(
            "/forgot", data={"email": email, "csrf_token": _form_token(client, "/forgot")}
        )
        unknown = client.post(
            "/forgot",
            data={"email": "nobody@example.com", "csrf_token": _form_token(client, "/forgot")},
        )
    assert answer.status_code == unknown.status_code == 200
    assert "If there is an account for that address" in answer.text
    # The same answer for an unknown address; only a real account's link is logged.
    links = [r.link for r in caplog.records if getattr(r, "event", "") == "password_reset_link"]
    assert len(links) == 1 and links[0].startswith("http://127.0.0.1:8000/reset/")
    path = links[0].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
