"""Digests: the periodic feedback on each person's scorecard, by email and in the inbox.

Who is due on a day: everyone whose digest is daily; on the weekly day (setting
`digest_weekday`) everyone whose digest is weekly; and anyone with a notification waiting for
a daily digest. A digest says how their items stand, what needs them, what they were told of
since their last digest, and the items they influence. It is written to the outbox with the
mark of when it was made, in one transaction per batch, under a key per person and day, so a
second run on the same day writes nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.digest_data import DigestContent, read_digest_content
from aligna.channels.outbox import NewMessage, enqueue
from aligna.channels.preferences import DIGEST, load_preferences
from aligna.db import session_scope
from aligna.enums import Delivery, TransportName
from aligna.settings import Settings

BATCH = 1000
FIRST_LOOK_BACK = {Delivery.daily: timedelta(days=1), Delivery.weekly: timedelta(days=7)}


@dataclass
class DigestSummary:
    """What a digest run did, and how long its stages took."""

    due: int = 0
    written: int = 0  # digests written (people with something to say)
    empty: int = 0  # due but nothing to say
    messages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@cache
def _templates() -> tuple[jinja2.Template, jinja2.Template]:
    """The text and HTML templates, compiled once per process."""
    loader = jinja2.PackageLoader("aligna.channels", "templates")
    text = jinja2.Environment(loader=loader, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    html = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return text.get_template("digest.txt.j2"), html.get_template("digest.html.j2")


def due_people(
    session: Session,
    settings: Settings,
    today: date,
    people: Iterable[int],
    *,
    everyone: bool = False,
) -> dict[int, Delivery]:
    """Which of the (live) people get a digest today, with their cadence."""
    preferences = load_preferences(session)
    weekly_day = today.isoweekday() == settings.digest_weekday
    waiting = {
        p
        for (p,) in session.execute(
            select(m.Notification.person_id)
            .outerjoin(m.DigestMark, m.DigestMark.person_id == m.Notification.person_id)
            .where(
                m.Notification.delivery == Delivery.daily,
                (m.DigestMark.last_at.is_(None))
                | (m.Notification.created_at > m.DigestMark.last_at),
            )
            .distinct()
        )
    }
    due: dict[int, Delivery] = {}
    for person in people:
        cadence = preferences.digest(person)
        if cadence is Delivery.off and not everyone:
            continue
        if everyone or cadence is Delivery.daily or person in waiting:
            due[person] = Delivery.daily if cadence is Delivery.off else cadence
        elif cadence is Delivery.weekly and weekly_day:
            due[person] = cadence
    return due


def render(
    content: DigestContent, *, cadence: Delivery, today: date, settings: Settings
) -> tuple[str, str, str]:
    """A digest's subject, plain text and HTML."""
    text_template, html_template = _templates()
    needs = len(content.needs)
    subject = f"[{settings.name or 'aligna'}] Your {cadence} digest"
    subject += (
        f": {needs} need{'s' if needs == 1 else ''} you" if needs else f", {today.isoformat()}"
    )
    values = {
        "d": content,
        "cadence": str(cadence),
        "today": today.isoformat(),
        "since": content.since.date().isoformat(),
        "org": settings.name,
        "base": settings.public_url.rstrip("/"),
        "subject": subject,
    }
    return subject, text_template.render(values), html_template.render(values)


def write_digests(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    people: list[int] | None = None,
    everyone: bool = False,
) -> DigestSummary:
    """Build and write the digests due at `now` (or of the given people, whatever their cadence)."""
    summary = DigestSummary()
    started = time.perf_counter()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(engine) as session:
        live = {
            p: (name, email)
            for p, name, email in session.execute(
                select(m.Person.id, m.Person.name, m.Person.email).where(
                    m.Person.archived_at.is_(None)
                )
            )
        }
        chosen = live.keys() if people is None else live.keys() & set(people)
        due = due_people(session, settings, today, chosen, everyone=everyone or people is not None)
        marks = dict(session.execute(select(m.DigestMark.person_id, m.DigestMark.last_at)).all())
    who = {p: live[p] for p in due}
    summary.due = len(due)
    since = {
        p: marks.get(p) or now - FIRST_LOOK_BACK.get(c, timedelta(days=7)) for p, c in due.items()
    }
    contents = read_digest_content(engine, who, since, today=today)
    summary.seconds["read"] = time.perf_counter() - started
    email = bool(settings.smtp_host)
    batch: list[NewMessage] = []
    marked: list[int] = []
    rendering = 0.0
    for person, content in contents.items():
        if content.empty:
            summary.empty += 1
            continue
        tick = time.perf_counter()
        subject, text, html = render(content, cadence=due[person], today=today, settings=settings)
        rendering += time.perf_counter() - tick
        key = f"digest:{today.isoformat()}:person:{person}"
        batch.append(
            NewMessage(
                idempotency_key=f"{key}:inbox",
                person_id=person,
                transport=TransportName.inbox,
                subject=subject.split("] ", 1)[-1],  # the page names the organisation already
                body_text=_inbox_text(content),
                event_kind=DIGEST,
                link="/",
            )
        )
        if email and content.email:
            batch.append(
                NewMessage(
                    idempotency_key=f"{key}:email",
                    person_id=person,
                    transport=TransportName.email,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    event_kind=DIGEST,
                    link="/",
                )
            )
        marked.append(person)
        summary.written += 1
        if len(marked) >= BATCH:
            summary.messages += _write(engine, batch, marked, now)
            batch, marked = [], []
    if marked:
        summary.messages += _write(engine, batch, marked, now)
    summary.seconds["render"] = rendering
    summary.seconds["total"] = time.perf_counter() - started
    return summary


def _inbox_text(content: DigestContent) -> str:
    """The inbox's short form: the counts; the scorecard page is the live version."""
    parts = [f"{len(content.items)} item{'s' if len(content.items) != 1 else ''} on your scorecard"]
    if content.needs:
        parts.append(f"{len(content.needs)} need{'s' if len(content.needs) == 1 else ''} you")
    parts.append(f"{len(content.changes)} change{'s' if len(content.changes) != 1 else ''}")
    lines = [", ".join(parts) + "."]
    lines += [f"- {line.text}" for line in content.needs[:5]]
    return "\n".join(lines)


def _write(engine: Engine, messages: list[NewMessage], people: list[int], now: datetime) -> int:
    """One batch of digests and their marks, in one transaction."""
    with session_scope(engine) as session:
        written = enqueue(session=session, messages=messages, now=now)
        module = postgresql if engine.dialect.name == "postgresql" else sqlite
        rows = [{"person_id": p, "last_at": now} for p in people]
        for start in range(0, len(rows), 500):
            statement = module.insert(m.DigestMark).values(rows[start : start + 500])
            statement = statement.on_conflict_do_update(
                index_elements=["person_id"], set_={"last_at": statement.excluded.last_at}
            )
            session.execute(statement)
    return written


def preview_digest(
    engine: Engine, settings: Settings, *, person: str, now: datetime
) -> tuple[str, str, str]:
    """One person's digest as it would be written at `now` (subject, text, HTML), writing
    nothing: for `aligna digest PERSON` and for reading it before it goes out."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    with session_scope(engine) as session:
        row = session.execute(
            select(m.Person.id, m.Person.name, m.Person.email).where(
                m.Person.slug == person, m.Person.archived_at.is_(None)
            )
        ).one_or_none()
        if row is None:
            raise LookupError(f"no live person has the id {person!r}")
        cadence = load_preferences(session, [row.id]).digest(row.id)
        mark = session.get(m.DigestMark, row.id)
    cadence = Delivery.weekly if cadence is Delivery.off else cadence
    since = mark.last_at if mark else now - FIRST_LOOK_BACK[cadence]
    contents = read_digest_content(
        engine, {row.id: (row.name, row.email)}, {row.id: since}, today=today
    )
    return render(contents[row.id], cadence=cadence, today=today, settings=settings)
