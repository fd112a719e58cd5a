"""Secrets in project files: always written `${ENV_VAR}`, never in clear.

The same rule for warehouse connections (checks.py) and Apprise destinations (channels.py):
the value is read from the environment only when aligna opens the connection or sends the
message (see measure/secrets.py), so it is never in git nor in the database.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from aligna.channels.apprise_urls import mask_apprise_url, url_secrets
from aligna.measure.secrets import REFERENCE

ENV_REFERENCE = re.compile(rf"^{REFERENCE.pattern}$")
SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api_?key|private_?key|credential)", re.I)
APPRISE_EXAMPLE = "slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#channel"


def from_env(value: object) -> bool:
    """Whether a value (or every value of a list) is one `${ENV_VAR}` reference."""
    values = value if isinstance(value, tuple | list) else (value,)
    return all(isinstance(v, str) and bool(ENV_REFERENCE.match(v)) for v in values)


def apprise_url_problems(url: str) -> list[str]:
    """What an Apprise URL writes in clear that must be an `${ENV_VAR}`, in plain words.

    The rule is the masking rule: every part aligna would mask when showing the URL (its
    password, a service's tokens, header values, secret-named arguments; see
    channels/apprise_urls.py) must come from the environment.
    """
    try:
        netloc = urlsplit(url).netloc
    except ValueError as exc:
        return [f"is not a valid URL ({exc}), expected e.g. {APPRISE_EXAMPLE}"]
    problems: list[str] = []
    userinfo, at, _ = netloc.rpartition("@")
    _, colon, password = userinfo.partition(":")
    clear_password = bool(at and colon and password and not ENV_REFERENCE.match(password))
    if clear_password:
        problems.append(
            "the password is written in clear, expected an environment variable such as "
            "${APPRISE_PASSWORD}"
        )
    others = set(url_secrets(url)) - {password, unquote(password)} if clear_password else None
    if others is None:
        others = set(url_secrets(url))
    if others:
        problems.append(
            f"holds a secret written in clear (shown masked: {mask_apprise_url(url)}), expected "
            f"each token or key as ${{ENV_VAR}}, e.g. {APPRISE_EXAMPLE}"
        )
    return problems
