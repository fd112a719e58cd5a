"""Fixtures of the channel tests: a real local SMTP server, a person, a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from smtp_support import Clock, SmtpServer, free_port
from sqlalchemy import Engine

from aligna.db import session_scope
from aligna.model import Person, Unit


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running local SMTP server recording what it receives."""
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()


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
