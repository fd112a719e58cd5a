"""Helpers shared by the sign-in tests: a fixed clock, people to link, a session fixture body."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aligna.model import Person, Unit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"  # 21 characters


def open_session(engine: Engine) -> Iterator[Session]:
    """A session on the test database that keeps objects loaded after commits."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def add_person(session: Session, slug: str, email: str) -> Person:
    """A person in a one-unit organisation, to link accounts to."""
    unit = session.scalar(select(Unit).where(Unit.slug == "org"))
    if unit is None:
        unit = Unit(slug="org", name="Org", kind="company")
        session.add(unit)
        session.flush()
    person = Person(slug=slug, name=slug.title(), email=email, unit_id=unit.id)
    session.add(person)
    session.flush()
    return person
