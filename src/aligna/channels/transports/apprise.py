"""Apprise: a message to a Slack, Teams, Matrix, webhook ... URL of a person or a unit.

The destination's URL keeps its `${ENV_VAR}` references in the database; they are read from
the environment only here, at sending, and every error stored is masked of the values read
and of any secret written in the URL itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import apprise

from aligna.channels.apprise_urls import ResolvedUrl, mask_apprise_url, resolve_url
from aligna.channels.masking import ERROR_LENGTH, error_text, mask_secrets
from aligna.channels.transports.apprise_log import captured, reason
from aligna.channels.transports.base import SendResult
from aligna.measure.errors import SecretError
from aligna.model import Message
from aligna.settings import Settings


def absolute_link(public_url: str, link: str) -> str:
    """A message's link as an address people can open: inside aligna, or already absolute."""
    if not link or "://" in link or not public_url:
        return link
    return f"{public_url.rstrip('/')}/{link.lstrip('/')}"


class AppriseTransport:
    """Sends each message to its Apprise destination's URL, title and plain-text body."""

    def __init__(self, *, public_url: str = "", environ: Mapping[str, str] | None = None) -> None:
        self.public_url = public_url
        # None: the process environment as it is at each send, so a rotated secret is used.
        self.environ = environ

    @classmethod
    def from_settings(cls, settings: Settings) -> AppriseTransport:
        """The transport, linking back to aligna at the settings' public address."""
        return cls(public_url=settings.public_url)

    def body(self, message: Message) -> str:
        """The plain-text body, ending with the link back to aligna unless it already holds it."""
        link = absolute_link(self.public_url, message.link)
        if not link or link in message.body_text:
            return message.body_text
        return f"{message.body_text.rstrip()}\n\n{link}"

    def send(self, message: Message) -> SendResult:
        """Notify the message's destination; any failure is a result with secrets masked."""
        destination = message.destination
        if destination is None:
            return SendResult(ok=False, error="the message has no Apprise destination")
        name = f"apprise destination {destination.id}"
        try:
            resolved = resolve_url(destination.url, name=name, environ=self.environ)
        except SecretError as exc:  # names the variable, never a value
            return SendResult(ok=False, error=str(exc)[:ERROR_LENGTH])
        except Exception as exc:
            return SendResult(ok=False, error=error_text(exc))
        try:
            return self._notify(resolved, destination.url, message)
        except Exception as exc:  # a transport reports, never raises
            return SendResult(ok=False, error=error_text(exc, resolved.secrets))

    def _notify(self, resolved: ResolvedUrl, written: str, message: Message) -> SendResult:
        """One Apprise call, its log kept to say why it failed."""
        with captured() as records:
            notifier = apprise.Apprise()
            accepted = notifier.add(resolved.url)
            sent = accepted and bool(
                notifier.notify(
                    body=self.body(message),
                    title=message.subject,
                    body_format=apprise.NotifyFormat.TEXT,
                )
            )
        if sent:
            return SendResult(ok=True)
        if not accepted:
            text = f"Apprise does not accept the URL {mask_apprise_url(written)}"
            details = reason(records)
            text = f"{text} ({details})" if details else text
        else:
            text = reason(records) or "Apprise gave no reason"
        return SendResult(ok=False, error=mask_secrets(text, resolved.secrets)[:ERROR_LENGTH])
