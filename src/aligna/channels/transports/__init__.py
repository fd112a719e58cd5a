"""The ways a message reaches a person; each one sends and reports, and never raises."""

from aligna.channels.transports.base import SendResult, Transport
from aligna.channels.transports.inbox import InboxTransport
from aligna.channels.transports.smtp import SmtpTransport

__all__ = ["InboxTransport", "SendResult", "SmtpTransport", "Transport"]
