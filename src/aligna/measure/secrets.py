"""Secrets in connections: `${ENV_VAR}` references, read from the environment when opened.

Project files never hold a secret in clear (files/checks.py enforces it for passwords and
secret-looking options); the value is read only when aligna opens the connection, so it is
never stored in the database, and masked in every message aligna prints or stores.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from aligna.measure.errors import SecretError, WarehouseError

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MASK = "***"


class Resolver:
    """Replaces `${VAR}` references of one connection and remembers the values it read."""

    def __init__(self, connection: str, environ: Mapping[str, str] | None = None) -> None:
        self.connection = connection
        self.environ = os.environ if environ is None else environ
        self.secrets: set[str] = set()

    def text(self, value: str, where: str) -> str:
        """A string with every reference replaced by its variable's value."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.environ:
                raise SecretError(
                    f"connection '{self.connection}': the environment variable {name} is not set "
                    f"({where} refers to it as ${{{name}}}); set it where aligna runs"
                )
            resolved = self.environ[name]
            if resolved:
                self.secrets.add(resolved)
            return resolved

        return REFERENCE.sub(replace, value)

    def value(self, value: Any, where: str) -> Any:
        """An option value (a string, or lists and mappings of them) with references replaced."""
        if isinstance(value, str):
            return self.text(value, where)
        if isinstance(value, list | tuple):
            return [self.value(v, where) for v in value]
        if isinstance(value, Mapping):
            return {k: self.value(v, f"{where}.{k}") for k, v in value.items()}
        return value

    def url(self, raw: str) -> URL:
        """The connection's URL with references replaced inside each part.

        The URL is split first and each part resolved afterwards, so a password holding `@`,
        `/` or `:` needs no escaping in the environment variable.
        """
        try:
            url = make_url(raw)
        except ArgumentError:
            raise WarehouseError(
                f"connection '{self.connection}': '{raw}' is not a database URL"
            ) from None
        parts = {
            name: self.text(getattr(url, name), f"the url's {name}")
            for name in ("username", "password", "host", "database")
            if getattr(url, name) is not None
        }
        query = {
            key: self.value(value, f"the url's parameter {key}") for key, value in url.query.items()
        }
        return url.set(**parts, query=query)

    def mask(self, message: str) -> str:
        """A message with every secret value read for this connection replaced by ***."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            message = message.replace(secret, MASK)
        return message


def masked_url(raw: str) -> str:
    """A connection URL fit to print: references stay as written, a clear password is hidden."""
    try:
        url = make_url(raw)
    except ArgumentError:
        return raw
    if url.password is not None and not REFERENCE.fullmatch(str(url.password)):
        return url.render_as_string(hide_password=True)
    return raw
