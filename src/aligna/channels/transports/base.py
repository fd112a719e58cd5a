"""The transport protocol: send one message, report the outcome, never raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aligna.model import Message


@dataclass(frozen=True)
class SendResult:
    """What a transport did with a message: accepted it, or why not (secrets masked)."""

    ok: bool
    error: str = ""


class Transport(Protocol):
    """Delivers messages one way; like Apprise, sending returns a result instead of raising."""

    def send(self, message: Message) -> SendResult:
        """Send one message (its person is loaded); idempotency_key identifies it to receivers."""
        ...
