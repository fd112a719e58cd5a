"""Single sign-on against oidc-provider-mock on loopback: linking, refusals, state and tokens."""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import pytest
import werkzeug.serving
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import func, select
from web_support import NOW, WebDemo, build_web_demo

from aligna import model as m
from aligna.db import open_database, session_scope
from aligna.settings import Settings
from aligna.web.app import create_app
from aligna.web.auth import oidc_tokens
from aligna.web.auth.accounts import create_account, disable_account
from aligna.web.auth.oidc import FLOW_COOKIE, FLOW_PATH, pack_flow, unpack_flow
from aligna.web.auth.oidc_tokens import Provider, SsoFailed, forget_providers, validate_id_token

PUBLIC_URL = "http://127.0.0.1:8000"  # the demo's public_url: the provider redirects here
CALLBACK = f"{PUBLIC_URL}/auth/oidc/callback"


@dataclass(frozen=True)
class Mock:
    """The running mock provider and aligna's client registered with it."""

    issuer: str
    client_id: str
    client_secret: str


@pytest.fixture(scope="module")
def mock() -> Iterator[Mock]:
    provider_app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    try:
        client = httpx.post(
            f"{issuer}/oauth2/clients",
            json={"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "client_secret_basic"},
        ).json()
        yield Mock(issuer, client["client_id"], client["client_secret"])
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        forget_providers()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> WebDemo:
    return build_web_demo(tmp_path_factory.mktemp("oidc") / "demo")


def sso_settings(demo: WebDemo, mock: Mock, **changes: Any) -> Settings:
    """The demo's settings with single sign-on at the mock provider."""
    values = {
        "oidc_issuer": mock.issuer,
        "oidc_client_id": mock.client_id,
        "oidc_client_secret": SecretStr(mock.client_secret),
        "public_url": PUBLIC_URL,
        **changes,
    }
    return demo.settings.model_copy(update=values)


def app_for(
    demo: WebDemo, mock: Mock, clock: Callable[[], datetime] | None = None, **changes: Any
) -> FastAPI:
    return create_app(sso_settings(demo, mock, **changes), clock=clock or (lambda: NOW))


@pytest.fixture(scope="module")
def app(demo: WebDemo, mock: Mock) -> FastAPI:
    return app_for(demo, mock)


def set_user(mock: Mock, sub: str, **claims: Any) -> None:
    """What the mock provider says about a subject."""
    httpx.put(f"{mock.issuer}/users/{sub}", json=claims).raise_for_status()


def start(client: TestClient, next: str = "/") -> str:
    """Begin single sign-on at aligna; the provider's authorization URL."""
    response = client.get("/auth/oidc/login", params={"next": next}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def at_provider(url: str, sub: str | None) -> str:
    """Choose a subject on the mock's authorization page (None: deny); aligna's callback path."""
    with httpx.Client() as http:
        assert http.get(url).status_code == 200
        back = http.post(url, data={"sub": sub} if sub else {"action": "deny"})
    assert back.status_code == 302, back.text[:500]
    location = back.headers["location"]
    assert location.startswith(CALLBACK), location
    return location[len(PUBLIC_URL) :]


def sign_in_sso(client: TestClient, sub: str, next: str = "/") -> httpx.Response:
    """The whole flow for one subject; the callback's response."""
    return client.get(at_provider(start(client, next), sub), follow_redirects=False)


def error_of(response: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)
    assert found, response.text[:800]
    return html.unescape(found.group(1))


def account_of(demo: WebDemo, email: str) -> m.Account | None:
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            return session.scalar(select(m.Account).where(m.Account.email == email))
    finally:
        engine.dispose()


def count_accounts(demo: WebDemo) -> int:
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count(m.Account.id))) or 0
    finally:
        engine.dispose()


def person_without_account(demo: WebDemo, skip: int = 0) -> m.Person:
    """A live person of the demo who has no account yet."""
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            has_account = select(m.Account.id).where(m.Account.person_id == m.Person.id).exists()
            return session.scalars(
                select(m.Person)
                .where(~has_account, m.Person.archived_at.is_(None))
                .order_by(m.Person.id)
            ).all()[skip]
    finally:
        engine.dispose()


def test_login_page_offers_single_sign_on_only_when_configured(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    page = TestClient(app_for(demo, mock, oidc_button_label="Sign in with Example ID")).get(
        "/login?next=/map"
    )
    assert 'href="/auth/oidc/login?next=/map">Sign in with Example ID</a>' in page.text
    client = TestClient(app)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    wrong = client.post(
        "/login", data={"email": "a@b.example", "password": "x" * 12, "csrf_token": csrf.group(1)}
    )
    assert wrong.status_code == 400 and "Sign in with single sign-on</a>" in wrong.text
    plain = TestClient(create_app(demo.settings, clock=lambda: NOW))
    assert "/auth/oidc/login" not in plain.get("/login").text
    assert plain.get("/auth/oidc/login").status_code == 404
    url = start(TestClient(app))
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{mock.issuer}/oauth2/authorize?")
    assert query["client_id"] == [mock.client_id] and query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid email profile"]
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43


def test_first_sign_in_links_by_email_and_the_next_by_subject(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    member = demo.logins["member"]
    set_user(mock, "member-1", email=member.email.upper(), email_verified=True, name="M")
    client = TestClient(app)
    response = sign_in_sso(client, "member-1", next="/map")
    assert response.status_code == 303 and response.headers["location"] == "/map"
    home = client.get("/")
    assert "My scorecard" in home.text and member.name in home.text
    linked = account_of(demo, member.email)
    assert linked is not None
    assert (linked.oidc_issuer, linked.oidc_subject) == (mock.issuer, "member-1")
    assert linked.last_login_at is not None
    # The provider renames the person: the subject still finds the account.
    set_user(mock, "member-1", email="someone.else@elsewhere.example", email_verified=True)
    again = TestClient(app)
    assert sign_in_sso(again, "member-1").status_code == 303
    assert member.name in again.get("/").text
    assert account_of(demo, "someone.else@elsewhere.example") is None


def test_unknown_email_is_refused_and_no_account_is_made(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    before = count_accounts(demo)
    set_user(mock, "stranger", email="nobody@nowhere.example", email_verified=True)
    response = sign_in_sso(TestClient(app), "stranger")
    assert response.status_code == 403
    assert (
        error_of(response) == "No aligna account for nobody@nowhere.example: ask an administrator."
    )
    # A person of the organisation without an account is refused too while creation is off.
    person = person_without_account(demo)
    set_user(mock, "person-a", email=person.email, email_verified=True)
    refused = sign_in_sso(TestClient(app), "person-a")
    assert refused.status_code == 403 and "ask an administrator" in error_of(refused)
    assert count_accounts(demo) == before


def test_creating_accounts_when_allowed_only_for_people_of_the_organisation(
    demo: WebDemo, mock: Mock
) -> None:
    app = app_for(demo, mock, oidc_create_accounts=True)
    person = person_without_account(demo)
    set_user(mock, "person-b", email=person.email, email_verified=True)
    client = TestClient(app)
    assert sign_in_sso(client, "person-b").status_code == 303
    created = account_of(demo, person.email.lower())
    assert created is not None and created.person_id == person.id
    assert created.password_hash is None and created.oidc_subject == "person-b"
    set_user(mock, "stranger-2", email="outsider@nowhere.example")
    assert sign_in_sso(TestClient(app), "stranger-2").status_code == 403
    assert account_of(demo, "outsider@nowhere.example") is None


def test_another_subject_with_a_linked_email_is_refused(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    manager = demo.logins["manager"]
    set_user(mock, "manager-1", email=manager.email, email_verified=True)
    assert sign_in_sso(TestClient(app), "manager-1").status_code == 303
    set_user(mock, "manager-2", email=manager.email, email_verified=True)
    response = sign_in_sso(TestClient(app), "manager-2")
    assert response.status_code == 403
    assert "belongs to another single sign-on identity" in error_of(response)
    assert account_of(demo, manager.email).oidc_subject == "manager-1"  # type: ignore[union-attr]


def test_unverified_email_and_disabled_account_are_refused(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    admin = demo.logins["admin"]
    set_user(mock, "admin-x", email=admin.email, email_verified=False)
    response = sign_in_sso(TestClient(app), "admin-x")
    assert response.status_code == 403
    assert (
        error_of(response) == f"Single sign-on failed: the provider has not verified {admin.email}."
    )
    assert account_of(demo, admin.email).oidc_subject is None  # type: ignore[union-attr]
    person = person_without_account(demo, skip=1)
    engine = open_database(demo.settings.resolved_database_url())
    try:
        with session_scope(engine) as session:
            account = create_account(session=session, email=person.email, now=NOW, person=person.id)
            disable_account(session=session, account=account, now=NOW)
    finally:
        engine.dispose()
    set_user(mock, "disabled-1", email=person.email, email_verified=True)
    client = TestClient(app)
    refused = sign_in_sso(client, "disabled-1")
    assert refused.status_code == 403 and "is disabled" in error_of(refused)
    assert client.get("/", follow_redirects=False).status_code == 303  # still signed out
    assert account_of(demo, person.email.lower()).oidc_subject is None  # type: ignore[union-attr]


def test_rotated_provider_keys_are_read_again(demo: WebDemo, mock: Mock, app: FastAPI) -> None:
    set_user(mock, "member-1", email=demo.logins["member"].email, email_verified=True)
    assert sign_in_sso(TestClient(app), "member-1").status_code == 303
    # As if the provider had rotated its keys since aligna last read them.
    cached = oidc_tokens._providers[mock.issuer]
    oidc_tokens._providers[mock.issuer] = replace(cached, jwks=STUB.jwks)
    assert sign_in_sso(TestClient(app), "member-1").status_code == 303
    assert oidc_tokens._providers[mock.issuer].jwks == cached.jwks


def test_a_wrong_state_is_refused(demo: WebDemo, mock: Mock, app: FastAPI) -> None:
    set_user(mock, "member-1", email=demo.logins["member"].email, email_verified=True)
    client = TestClient(app)
    path = at_provider(start(client), "member-1")
    forged = re.sub(r"state=[^&]+", "state=%C3%A9t%C3%A9", path)  # not even ASCII
    response = client.get(forged, follow_redirects=False)
    assert response.status_code == 400
    assert error_of(response) == (
        "Single sign-on failed: the answer does not belong to this sign-in."
    )
    # The failed attempt used up the flow: the genuine answer cannot follow it.
    assert "not started here" in error_of(client.get(path, follow_redirects=False))


def test_a_replayed_callback_is_refused(demo: WebDemo, mock: Mock, app: FastAPI) -> None:
    set_user(mock, "member-1", email=demo.logins["member"].email, email_verified=True)
    client = TestClient(app)
    path = at_provider(start(client), "member-1")
    flow = client.cookies.get(FLOW_COOKIE)
    assert client.get(path, follow_redirects=False).status_code == 303
    assert FLOW_COOKIE not in client.cookies  # used once
    replay = TestClient(app)
    assert "not started here" in error_of(replay.get(path, follow_redirects=False))
    # Even with the flow cookie copied, the provider takes each code once.
    replay.cookies.set(FLOW_COOKIE, flow or "", path=FLOW_PATH)
    refused = replay.get(path, follow_redirects=False)
    assert refused.status_code == 400
    assert "the provider refused the code: invalid_grant" in error_of(refused)


def test_a_flow_older_than_ten_minutes_is_refused(demo: WebDemo, mock: Mock) -> None:
    now = [NOW]
    app = app_for(demo, mock, clock=lambda: now[0])
    set_user(mock, "member-1", email=demo.logins["member"].email, email_verified=True)
    client = TestClient(app)
    path = at_provider(start(client), "member-1")
    now[0] = NOW + timedelta(minutes=10, seconds=1)
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 400
    assert "took longer than 10 minutes" in error_of(response)


def test_a_tampered_flow_cookie_or_a_wrong_nonce_is_refused(
    demo: WebDemo, mock: Mock, app: FastAPI
) -> None:
    set_user(mock, "member-1", email=demo.logins["member"].email, email_verified=True)
    client = TestClient(app)
    url = start(client)
    context = app.state.aligna
    flow = unpack_flow(context, client.cookies.get(FLOW_COOKIE))
    client.cookies.set(
        FLOW_COOKIE, pack_flow(context, {**flow, "nonce": "another"}), path=FLOW_PATH
    )
    response = client.get(at_provider(url, "member-1"), follow_redirects=False)
    assert response.status_code == 400
    assert error_of(response) == "Single sign-on failed: the ID token has a wrong nonce."
    forged = TestClient(app)
    url = start(forged)
    forged.cookies.set(FLOW_COOKIE, "e30.forged.signature", path=FLOW_PATH)
    assert "could not be checked" in error_of(
        forged.get(at_provider(url, "member-1"), follow_redirects=False)
    )


def test_the_provider_saying_no_is_shown_plainly(app: FastAPI) -> None:
    client = TestClient(app)
    denied = client.get(at_provider(start(client), None), follow_redirects=False)
    assert denied.status_code == 400
    assert error_of(denied).startswith("Single sign-on failed: the provider said access_denied")
    direct = client.get("/auth/oidc/callback?error=access_denied")
    assert error_of(direct) == "Single sign-on failed: the provider said access_denied."
    assert "Traceback" not in direct.text
    # Anyone can craft this address: the provider's free text is never shown.
    crafted = client.get(
        "/auth/oidc/callback",
        params={"error": "call 555 0100 to unlock", "error_description": "call us"},
    )
    assert error_of(crafted) == "Single sign-on failed: the provider said an error."


def test_an_unreachable_provider_is_a_clear_error_and_the_secret_never_shows(
    demo: WebDemo, mock: Mock
) -> None:
    app = app_for(demo, mock, oidc_issuer="http://127.0.0.1:9")  # nothing listens on port 9
    response = TestClient(app).get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 400
    assert "could not read the provider's configuration" in error_of(response)
    settings = sso_settings(demo, mock)
    assert mock.client_secret not in repr(settings) and mock.client_secret not in str(settings)
    assert mock.client_secret not in response.text


# ID tokens signed with a test key served as the provider's key set: what the mock cannot forge.
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
STUB = Provider(
    issuer="https://id.example",
    authorization_endpoint="https://id.example/authorize",
    token_endpoint="https://id.example/token",
    jwks_uri="https://id.example/jwks",
    userinfo_endpoint=None,
    algorithms=("RS256",),
    auth_methods=(),
    jwks={"keys": [KEY.as_dict(private=False)]},
    fetched_at=time.monotonic(),
)


def id_token(key: RSAKey = KEY, alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": STUB.issuer,
        "aud": "aligna",
        "sub": "s-1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "email": "ada@example.com",
    }
    claims.update(changes)
    return jwt.encode(
        {"alg": alg, "kid": "test-key"}, {k: v for k, v in claims.items() if v is not None}, key
    )


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(alg: str) -> str:
    """A token whose header names a symmetric or no algorithm, with a made-up signature."""
    header, claims = b64({"alg": alg, "kid": "test-key"}), b64(jwt.decode(id_token(), KEY).claims)
    return f"{header}.{claims}." + ("" if alg == "none" else "c2lnbmF0dXJl")


def test_a_genuine_id_token_passes() -> None:
    claims = validate_id_token(id_token(), found=STUB, client_id="aligna", nonce="n-1")
    assert claims["sub"] == "s-1" and claims["email"] == "ada@example.com"
    several = id_token(aud=["aligna", "other"], azp="aligna")
    assert (
        validate_id_token(several, found=STUB, client_id="aligna", nonce="n-1")["azp"] == "aligna"
    )


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (lambda: id_token(aud="someone-else"), "the ID token has a wrong aud"),
        (lambda: id_token(iss="https://evil.example"), "the ID token has a wrong iss"),
        (lambda: id_token(nonce="n-2"), "the ID token has a wrong nonce"),
        (lambda: id_token(nonce=None), "the ID token has no nonce"),
        (lambda: id_token(exp=int(time.time()) - 120), "the ID token has expired"),
        (lambda: id_token(aud=["aligna", "other"]), "the ID token has a wrong azp"),
        (lambda: id_token(key=OTHER_KEY), "the ID token's signature does not hold"),
        (lambda: unsigned("HS256"), "the ID token's signature does not hold"),
        (lambda: unsigned("none"), "the ID token's signature does not hold"),
    ],
)
def test_a_forged_or_misdirected_id_token_is_refused(token: Callable[[], str], says: str) -> None:
    with pytest.raises(SsoFailed) as refused:
        validate_id_token(token(), found=STUB, client_id="aligna", nonce="n-1")
    assert str(refused.value) == f"single sign-on failed: {says}"
