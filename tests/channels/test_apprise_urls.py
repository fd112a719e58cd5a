"""Apprise URLs shown masked, and resolved from the environment only when sending."""

from __future__ import annotations

import pytest

from aligna.channels.apprise_urls import mask_apprise_url, resolve_url, url_secrets
from aligna.channels.masking import MASK
from aligna.measure.errors import SecretError

M = MASK

MASKED = [
    # generic webhooks: the password, custom header values, secret-named arguments
    ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080/hook"),
    ("json://aligna:Pa55@hooks.org/in", f"json://aligna:{M}@hooks.org/in"),
    (
        "jsons://hooks.org/in?+X-Token=abc123&+Authorization=Bearer%20x&method=POST",
        f"jsons://hooks.org/in?+X-Token={M}&+Authorization={M}&method=POST",
    ),
    (
        "form://hooks.org/in?token=s3&-apikey=k9&:secret_key=z&to=ops&format=text",
        f"form://hooks.org/in?token={M}&-apikey={M}&:secret_key={M}&to=ops&format=text",
    ),
    ("xml://hooks.org/in/aB3dE5fG7hJ9kL1mN3pQ", f"xml://hooks.org/in/{M}"),
    ("xmls://hooks.org/hooks/abc/def", f"xmls://hooks.org/hooks/{M}/{M}"),
    # references name a secret; they are not one and stay as written
    (
        "json://${HOOK_USER}:${HOOK_PASSWORD}@hooks.org/in?+X-Token=${HOOK_TOKEN}",
        "json://${HOOK_USER}:${HOOK_PASSWORD}@hooks.org/in?+X-Token=${HOOK_TOKEN}",
    ),
    ("json://hooks.org/in?+X-Token=pre-${HOOK_TOKEN}", f"json://hooks.org/in?+X-Token={M}"),
    # well-known services with tokens in the host and path; targets stay readable
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnl/#general", f"slack://{M}/{M}/{M}/#general"),
    ("slack://aligna@xoxb-1234-1234-4ddbc191d40e/#ops/@ada", f"slack://aligna@{M}/#ops/@ada"),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3d", f"discord://{M}/{M}"),
    ("msteams://team@TokenA/TokenB/TokenC/TokenD", f"msteams://team@{M}/{M}/{M}/{M}"),
    ("tgram://123456789:AABBccDD-eeff/987654", f"tgram://{M}/987654"),
    ("pover://userkey@apptoken/phone", f"pover://{M}@{M}/phone"),
    (
        "mailto://aligna:app-password@gmail.com?to=ops@org.test",
        f"mailto://aligna:{M}@gmail.com?to=ops@org.test",
    ),
    ("ntfys://ops:pw@ntfy.org/alerts?token=tk_abc", f"ntfys://ops:{M}@ntfy.org/alerts?token={M}"),
    # the services' own web addresses
    (
        "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnl",
        f"https://hooks.slack.com/services/{M}/{M}/{M}",
    ),
    (
        "https://discord.com/api/webhooks/4174216298/JHMHI8qBe7bk2ZwO5U711o3d",
        f"https://discord.com/api/webhooks/{M}/{M}",
    ),
    (
        "workflows://prod.westus.logic.azure.com:443/a1b2c3/Sig-nature_1",
        f"workflows://prod.westus.logic.azure.com:443/{M}/{M}",
    ),
    (
        "https://prod.logic.azure.com/workflows/a1/triggers/manual/paths/invoke?sp=x&sig=s1",
        f"https://prod.logic.azure.com/workflows/a1/triggers/manual/paths/invoke?sp=x&sig={M}",
    ),
    ("not a url", "not a url"),
]


@pytest.mark.parametrize(("url", "shown"), MASKED)
def test_urls_are_shown_with_their_secrets_masked(url: str, shown: str) -> None:
    assert mask_apprise_url(url) == shown


def test_given_secret_values_are_masked_wherever_they_appear() -> None:
    assert mask_apprise_url("json://hooks.org/v1/s3cr3t", ["s3cr3t"]) == f"json://hooks.org/v1/{M}"


def test_url_secrets_lists_each_secret_as_written_and_unquoted() -> None:
    url = "json://u:p%40ss@h/x?+X-Token=tok1&+X-Id=t"
    assert url_secrets(url) == ["p%40ss", "p@ss", "t", "tok1"]
    # Sending masks errors of the longer ones only: "t" would mask every t and hide nothing.
    assert resolve_url(url, environ={}).secrets == {"p%40ss", "p@ss", "tok1"}


def test_references_are_resolved_quoted_and_remembered_as_secrets() -> None:
    resolved = resolve_url(
        "json://hooks.org/in?+X-Token=${T}&to=${TO}", environ={"T": "a/b@c", "TO": "ops"}
    )
    assert resolved.url == "json://hooks.org/in?+X-Token=a%2Fb%40c&to=ops"
    assert {"a/b@c", "a%2Fb%40c"} <= resolved.secrets


def test_a_missing_variable_is_named_and_no_value_is_shown() -> None:
    with pytest.raises(SecretError, match=r"HOOK_TOKEN is not set") as raised:
        resolve_url("json://h/in?+X-Token=${HOOK_TOKEN}", name="destination 3", environ={})
    assert "destination 3" in str(raised.value)
