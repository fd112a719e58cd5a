"""The demo's sign-ins: an admin, a manager and a member, with a password printed for the demo.

Only the demo does this: a real organisation's accounts come from `aligna accounts create`
(or single sign-on), never with a known password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.model.base import utcnow
from aligna.web.auth.accounts import create_account, find_account

DEMO_PASSWORD = "aligna-demo-password"


@dataclass(frozen=True)
class DemoLogin:
    """One demo sign-in."""

    role: str  # admin | manager | member
    email: str
    person: str
    name: str


def demo_logins(session: Session) -> list[DemoLogin]:
    """Create (once) and return the demo's three sign-ins.

    The admin is the person at the top of the reporting line; the manager the person with the
    most direct reports below them; the member someone with a scorecard and no reports.
    """
    person = m.Person
    report = aliased(m.Person)
    top = session.execute(
        select(person)
        .where(person.manager_id.is_(None), person.archived_at.is_(None))
        .order_by(person.id)
        .limit(1)
    ).scalar()
    if top is None:
        return []
    reports = func.count(report.id)
    manager = session.execute(
        select(person)
        .join(report, report.manager_id == person.id)
        .where(person.id != top.id, person.archived_at.is_(None))
        .group_by(person.id)
        .order_by(reports.desc(), person.id)
        .limit(1)
    ).scalar()
    has_reports = select(report.id).where(report.manager_id == person.id).exists()
    on_card = select(m.ScorecardItem.id).where(m.ScorecardItem.person_id == person.id).exists()
    # Preferably someone who reports to the manager, so the manager sees their scorecard.
    candidates = (
        select(person)
        .where(person.archived_at.is_(None), ~has_reports, on_card)
        .order_by((person.manager_id == (manager.id if manager else top.id)).desc(), person.id)
        .limit(1)
    )
    member = session.execute(candidates).scalar()
    chosen = [("admin", top), ("manager", manager), ("member", member)]
    logins = []
    for role, who in chosen:
        if who is None:
            continue
        if find_account(session=session, email=who.email) is None:
            create_account(
                session=session,
                email=who.email,
                now=utcnow(),
                person=who.id,
                password=DEMO_PASSWORD,
                roles=["admin"] if role == "admin" else [],
            )
        logins.append(DemoLogin(role, who.email.lower(), who.slug, who.name))
    session.flush()
    return logins
