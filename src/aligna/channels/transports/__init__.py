"""The ways a message reaches a person; each one sends and reports, and never raises."""

from __future__ import annotations

from sqlalchemy import Engine

from aligna.channels.transports.apprise import AppriseTransport
from aligna.channels.transports.base import BatchingTransport, Sender, SendResult, Transport
from aligna.channels.transports.inbox import InboxTransport
from aligna.channels.transports.smtp import SmtpTransport
from aligna.enums import TransportName
from aligna.settings import Settings

__all__ = [
    "AppriseTransport",
    "BatchingTransport",
    "InboxTransport",
    "SendResult",
    "Sender",
    "SmtpTransport",
    "Transport",
    "configured_transports",
]


def configured_transports(settings: Settings, engine: Engine) -> dict[str, Transport]:
    """The transports the settings allow: the inbox and Apprise always, email when an SMTP
    server is set (Apprise messages exist only for people and units with destinations)."""
    transports: dict[str, Transport] = {
        TransportName.inbox: InboxTransport(engine),
        TransportName.apprise: AppriseTransport.from_settings(settings),
    }
    smtp = SmtpTransport.from_settings(settings)
    if smtp is not None:
        transports[TransportName.email] = smtp
    return transports
