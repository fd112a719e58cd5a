"""The ways a message reaches a person; each one sends and reports, and never raises."""

from __future__ import annotations

from sqlalchemy import Engine

from aligna.channels.transports.base import SendResult, Transport
from aligna.channels.transports.inbox import InboxTransport
from aligna.channels.transports.smtp import SmtpTransport
from aligna.enums import TransportName
from aligna.settings import Settings

__all__ = [
    "InboxTransport",
    "SendResult",
    "SmtpTransport",
    "Transport",
    "configured_transports",
]


def configured_transports(settings: Settings, engine: Engine) -> dict[str, Transport]:
    """The transports the settings allow: the inbox always, email when an SMTP server is set."""
    transports: dict[str, Transport] = {TransportName.inbox: InboxTransport(engine)}
    smtp = SmtpTransport.from_settings(settings)
    if smtp is not None:
        transports[TransportName.email] = smtp
    return transports
