"""The transport protocol: send one message, report the outcome, never raise.

A transport may also offer `batch()`: a context manager for one delivery round, giving a
sender that reuses what is costly to set up (for email, one SMTP connection and login) across
the round's messages. The outbox uses it when present; `send` alone remains enough.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aligna.model import Message


@dataclass(frozen=True)
class SendResult:
    """What a transport did with a message: accepted it, or why not (secrets masked)."""

    ok: bool
    error: str = ""


class Sender(Protocol):
    """Anything that sends one message and reports, never raising."""

    def send(self, message: Message) -> SendResult:
        """Send one message (its person is loaded); idempotency_key identifies it to receivers."""
        ...


class Transport(Sender, Protocol):
    """Delivers messages one way; like Apprise, sending returns a result instead of raising."""


@runtime_checkable
class BatchingTransport(Transport, Protocol):
    """A transport that can keep a setup, such as a connection, open for a delivery round."""

    def batch(self) -> AbstractContextManager[Sender]:
        """A sender for one round's messages; leaving it closes what it opened, never raising."""
        ...
