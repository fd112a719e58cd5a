"""The OpenID provider seen from aligna: discovery (cached), its signing keys, ID token checks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from authlib.common.security import is_secure_transport
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

from aligna.settings import Settings

__all__ = ["Provider", "SsoFailed", "forget_providers", "mask", "provider", "validate_id_token"]

DISCOVERY_TTL = 3600.0  # seconds: a provider's endpoints and keys are read again after this
HTTP_TIMEOUT = 10.0
LEEWAY = 60  # seconds of clock skew allowed between aligna and the provider
# Only public-key signatures: "none" proves nothing, and HS256 would be keyed by the secret.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


_BAD_SIGNATURE = "single sign-on failed: the ID token's signature does not hold"


class SsoFailed(Exception):
    """A single sign-on that cannot go on, with a message fit to show and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Provider:
    """What discovery says about a provider, and its signing keys."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    auth_methods: tuple[str, ...]
    jwks: dict[str, Any] = field(repr=False)
    fetched_at: float


_providers: dict[str, Provider] = {}
_lock = threading.Lock()


def forget_providers() -> None:
    """Drop every cached discovery document and key set."""
    with _lock:
        _providers.clear()


def mask(text: str, settings: Settings) -> str:
    """The text with the client secret, should it appear, blanked out."""
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    return text.replace(secret, "********") if secret else text


def provider(settings: Settings, *, fresh_keys: bool = False) -> Provider:
    """The configured provider, from its discovery document (cached for an hour)."""
    issuer = (settings.oidc_issuer or "").rstrip("/")
    with _lock:
        cached = _providers.get(issuer)
    if cached is not None and time.monotonic() - cached.fetched_at < DISCOVERY_TTL:
        if not fresh_keys:
            return cached
        found = replace(cached, jwks=_get_json(cached.jwks_uri, "signing keys", settings))
    else:
        found = _discover(issuer, settings)
    with _lock:
        _providers[issuer] = found
    return found


def _discover(issuer: str, settings: Settings) -> Provider:
    if not is_secure_transport(issuer):
        raise SsoFailed("single sign-on is misconfigured: the issuer must be an https address")
    doc = _get_json(f"{issuer}/.well-known/openid-configuration", "configuration", settings)
    # The document must name the issuer we asked (OpenID Connect Discovery, section 4.3).
    if str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise SsoFailed(
            f"single sign-on is misconfigured: the provider calls itself {doc.get('issuer')!r}, "
            f"not {issuer!r}"
        )
    urls = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = doc.get(name)
        if not isinstance(url, str) or not is_secure_transport(url):
            raise SsoFailed(f"single sign-on is misconfigured: the provider's {name} is missing")
        urls[name] = url
    offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    userinfo = doc.get("userinfo_endpoint")
    return Provider(
        issuer=str(doc["issuer"]),
        authorization_endpoint=urls["authorization_endpoint"],
        token_endpoint=urls["token_endpoint"],
        jwks_uri=urls["jwks_uri"],
        userinfo_endpoint=userinfo if isinstance(userinfo, str) else None,
        algorithms=tuple(a for a in ALGORITHMS if a in offered) or ("RS256",),
        auth_methods=tuple(doc.get("token_endpoint_auth_methods_supported") or ()),
        jwks=_get_json(urls["jwks_uri"], "signing keys", settings),
        fetched_at=time.monotonic(),
    )


def _get_json(url: str, what: str, settings: Settings) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT, headers={"accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        reason = mask(f"{type(exc).__name__}: {exc}", settings)[:300]
        raise SsoFailed(
            f"single sign-on failed: could not read the provider's {what} ({reason})"
        ) from None
    if not isinstance(data, dict):
        raise SsoFailed(f"single sign-on failed: the provider's {what} is not a JSON object")
    return data


def validate_id_token(
    id_token: str,
    *,
    found: Provider,
    client_id: str,
    nonce: str,
    settings: Settings | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, times and nonce hold."""
    try:
        token = _decode(id_token, found)
    except (JoseError, ValueError):
        if settings is None:
            raise SsoFailed(_BAD_SIGNATURE) from None
        # The provider may have rotated its keys since we read them: read them once more.
        found = provider(settings, fresh_keys=True)
        try:
            token = _decode(id_token, found)
        except (JoseError, ValueError):
            raise SsoFailed(_BAD_SIGNATURE) from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        # The provider's clock is real time: aligna's own clock may be set (tests, replays).
        now=now if now is not None else int(time.time()),
        leeway=LEEWAY,
        iss={"essential": True, "value": found.issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise SsoFailed("single sign-on failed: the ID token has expired") from None
    except MissingClaimError as exc:
        raise SsoFailed(f"single sign-on failed: the ID token has no {_claim(exc)}") from None
    except JoseError as exc:
        raise SsoFailed(f"single sign-on failed: the ID token has a wrong {_claim(exc)}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # With several audiences the token must say it was issued to us (OpenID Connect 3.1.3.7).
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise SsoFailed("single sign-on failed: the ID token has a wrong azp")
    return dict(claims)


def _decode(id_token: str, found: Provider) -> jwt.Token:
    return jwt.decode(id_token, KeySet.import_key_set(found.jwks), algorithms=found.algorithms)


def _claim(exc: JoseError) -> str:
    """The claim an error is about ('aud', 'nonce', ...), from its description."""
    text = exc.description or ""
    return text.split("'")[1] if text.count("'") >= 2 else text
