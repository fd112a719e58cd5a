"""Secrets masked out of any text aligna stores or shows, such as a transport's error."""

from __future__ import annotations

import base64
from collections.abc import Iterable

MASK = "********"
ERROR_LENGTH = 2000


def mask_secrets(text: str, secrets: Iterable[str | None]) -> str:
    """The text with every secret, and its base64 forms (SMTP AUTH echoes), replaced by a mask."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.add(secret)
        forms.add(base64.b64encode(secret.encode()).decode())
    # Longest first, so a secret containing another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def error_text(exc: BaseException, secrets: Iterable[str | None] = ()) -> str:
    """An exception as one stored line: its type and message, secrets masked, length capped."""
    text = f"{type(exc).__name__}: {exc}"
    return mask_secrets(text, secrets)[:ERROR_LENGTH]
