"""Fixtures of the channel tests: a real local SMTP server, a person, a controllable clock."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import Engine

from aligna.db import session_scope
from aligna.model import Person, Unit

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


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running local SMTP server recording what it receives."""
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()


@dataclass
class Clock:
    """A controllable clock: now() is whatever the test says."""

    at: datetime = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def person_id(engine: Engine) -> int:
    """One person of a one-unit organisation."""
    with session_scope(engine) as session:
        unit = Unit(slug="org", name="Org", kind="company")
        session.add(unit)
        session.flush()
        person = Person(slug="ada", name="Ada Lovelace", email="ada@example.org", unit_id=unit.id)
        session.add(person)
        session.flush()
        return person.id
