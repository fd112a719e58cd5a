"""The reporting line: each person's managers, nearest first, as far up as asked."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased

from aligna.model import Person

CHUNK = 500


def managers_above(
    session: Session, person_ids: Iterable[int], levels: int
) -> dict[int, list[int]]:
    """Each person's managers up to `levels` levels (fewer where the line ends), nearest first.

    One query per level for all the people at once; a loop in the line (which validation
    refuses) ends the walk instead of running forever.
    """
    start = set(person_ids)
    manager_of: dict[int, int | None] = {}
    wanted = set(start)
    for _ in range(levels):
        unknown = [p for p in wanted if p not in manager_of]
        for at in range(0, len(unknown), CHUNK):
            chunk = unknown[at : at + CHUNK]
            rows = session.execute(
                select(Person.id, Person.manager_id).where(
                    Person.id.in_(chunk), Person.archived_at.is_(None)
                )
            ).all()
            manager_of.update({p: None for p in chunk})
            manager_of.update(dict(rows))
        wanted = {m for p in wanted if (m := manager_of.get(p)) is not None}
        if not wanted:
            break
    lines: dict[int, list[int]] = {}
    for person in start:
        line: list[int] = []
        current = manager_of.get(person)
        while current is not None and len(line) < levels and current not in line:
            if current == person:
                break
            line.append(current)
            current = manager_of.get(current)
        lines[person] = line
    return lines


_UP = aliased(Person, name="reporting_line_up")


def line_above(session: Session, person_id: int, levels: int) -> list[tuple[int, str, str]]:
    """One person's managers up to `levels` levels, nearest first, as (id, slug, name), in one
    statement whatever the depth (for one person; `managers_above` serves many at once)."""
    up = (
        select(Person.id, Person.manager_id, literal(0).label("depth"))
        .where(Person.id == person_id)
        .cte("reporting_line", recursive=True)
    )
    # The depth bound also ends a loop in the line, which validation refuses anyway.
    up = up.union_all(
        select(_UP.id, _UP.manager_id, up.c.depth + 1).where(
            _UP.id == up.c.manager_id, up.c.depth < levels
        )
    )
    rows = session.execute(
        select(up.c.id, Person.slug, Person.name)
        .join(Person, Person.id == up.c.id)
        .where(up.c.depth > 0)
        .order_by(up.c.depth)
    ).all()
    line: list[tuple[int, str, str]] = []
    for manager, slug, name in rows:
        if manager == person_id or any(manager == known for known, _, _ in line):
            break  # a loop: the line ends where it repeats
        line.append((manager, slug, name))
    return line
