"""What the channel tests share: a real local SMTP server that can stop and start again, and a
controllable clock. (Imported by name from here, not from conftest: several test folders have
a conftest module, and which one `import conftest` finds depends on the collection order.)"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PASSWORD = "s3cr3t-Pa55word"


class Recorder:
    """An aiosmtpd handler keeping every email it receives."""

    def __init__(self) -> None:
        self.emails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.emails.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _refuse_everyone(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    return AuthResult(success=False, handled=False)


@dataclass
class SmtpServer:
    """A local SMTP server that can be stopped and started again on the same port."""

    port: int
    recorder: Recorder = field(default_factory=Recorder)
    refuse_logins: bool = False
    controller: Controller | None = None

    def start(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.refuse_logins:
            kwargs = {"authenticator": _refuse_everyone, "auth_require_tls": False}
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def emails(self) -> list[EmailMessage]:
        return self.recorder.emails


def free_port() -> int:
    """A TCP port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Clock:
    """A controllable clock: now() is whatever the test says."""

    at: datetime = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta
