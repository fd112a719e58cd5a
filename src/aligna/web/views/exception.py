"""A performance exception as its page and the API show it: facts, level, timeline, who may act.

An exception is seen by whoever may see its KPI or initiative, and by its owner and the
managers above the owner (they are the ones it escalates to, even when the item is restricted
from them). Each reading is a fixed number of statements, whatever the reporting line's depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from aligna import model as m
from aligna.channels.acknowledgement import MAX_LINE, Action, timeline
from aligna.channels.reporting_line import line_above
from aligna.enums import EventKind
from aligna.web.access import Viewer, initiative_visible, kpi_visible, person_visible

KIND_WORDS = {
    "off_track": "Off track",
    "adverse_signal": "Adverse signal",
    "overdue_milestone": "Overdue milestone",
    "stale": "Stale data",
}
SYSTEM_ACTOR = "aligna"

# Fixed alias names keep the statement's text the same from request to request (cached once).
_KPI = aliased(m.Kpi, name="exception_kpi")
_INITIATIVE = aliased(m.Initiative, name="exception_initiative")
_UNIT = aliased(m.Unit, name="exception_unit")
_OWNER = aliased(m.Person, name="exception_owner")
_ACKNOWLEDGER = aliased(m.Person, name="exception_acknowledger")
_MILESTONE = aliased(m.Milestone, name="exception_milestone")


@dataclass(frozen=True)
class TimelineEntry:
    """One step of an exception's life, in words, with who and their note."""

    kind: str
    words: str
    at: datetime
    level: int | None
    actor: str
    actor_person: str | None
    note: str
    deadline: date | None
    detail: str


@dataclass(frozen=True)
class LinePerson:
    """A manager above the owner: how far up, and who."""

    id: int
    slug: str
    name: str
    level: int


@dataclass
class ExceptionView:
    """Everything the exception page and the API's exception record show."""

    id: int
    kind: str
    kpi: str | None
    kpi_name: str | None
    initiative: str | None
    initiative_name: str | None
    item_visible: bool  # whether the item's own page answers the viewer
    unit: str | None
    unit_name: str | None
    milestone: str | None
    period: str | None
    detail: str
    owner_id: int | None
    owner: str | None
    owner_name: str | None
    owner_visible: bool
    opened_at: datetime
    closed_at: datetime | None
    level: int
    level_since: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None  # the person's id (slug), when a person acknowledged it
    acknowledged_by_name: str | None  # their name, or the account that acted
    commitment: str
    commitment_due: date | None
    line: list[LinePerson] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    may_act: bool = False

    @property
    def is_open(self) -> bool:
        """Whether its cause is still there (only open exceptions can be acted on)."""
        return self.closed_at is None

    @property
    def kind_words(self) -> str:
        """The kind, in words."""
        return KIND_WORDS.get(self.kind, self.kind.replace("_", " "))

    @property
    def item_name(self) -> str:
        """The KPI's or initiative's name."""
        return self.kpi_name or self.initiative_name or "an item"

    @property
    def item_href(self) -> str | None:
        """The item's page, when the viewer may open it."""
        if not self.item_visible:
            return None
        if self.kpi:
            return f"/kpis/{self.kpi}" + (f"?unit={self.unit}" if self.unit else "")
        return f"/initiatives/{self.initiative}" if self.initiative else None

    @property
    def level_words(self) -> str:
        """Where the exception stands on the reporting line, in words."""
        return level_words(self.level, self.line)


def level_words(level: int, line: list[LinePerson]) -> str:
    """The level in words: "with the owner", or "escalated to <manager> (level n)"."""
    if level <= 0:
        return "with the owner"
    reached = next((p for p in line if p.level == level), None)
    if reached is None:  # the line has changed since, or ends below that level
        return f"escalated to level {level}"
    return f"escalated to {reached.name} (level {level})"


def _visible(viewer: Viewer) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(may see the exception, may open its item), as SQL conditions on the aliases."""
    x = m.PerformanceException
    item = or_(
        and_(x.kpi_id.is_not(None), kpi_visible(viewer, _KPI)),
        and_(x.initiative_id.is_not(None), initiative_visible(viewer, _INITIATIVE)),
    )
    seen: list[ColumnElement[bool]] = [item]
    if viewer.sees_all:
        seen.append(true())
    if viewer.person_id is not None:
        seen.append(x.owner_id == viewer.person_id)
        if viewer.is_manager:
            seen.append(x.owner_id.in_(viewer.reports))  # the managers above the owner
    return or_(*seen), item


def find_exception(session: Session, viewer: Viewer, exception_id: int) -> ExceptionView | None:
    """An exception the viewer may see, with its line and timeline; None if hidden or missing."""
    x = m.PerformanceException
    seen, item = _visible(viewer)
    row = session.execute(
        select(
            x,
            _KPI.slug.label("kpi"),
            _KPI.name.label("kpi_name"),
            _INITIATIVE.slug.label("initiative"),
            _INITIATIVE.name.label("initiative_name"),
            _UNIT.slug.label("unit"),
            _UNIT.name.label("unit_name"),
            _MILESTONE.name.label("milestone"),
            _OWNER.slug.label("owner"),
            _OWNER.name.label("owner_name"),
            person_visible(viewer, _OWNER).label("owner_visible"),  # type: ignore[arg-type]
            _ACKNOWLEDGER.slug.label("acknowledger"),
            _ACKNOWLEDGER.name.label("acknowledger_name"),
            item.label("item_visible"),
        )
        .outerjoin(_KPI, _KPI.id == x.kpi_id)
        .outerjoin(_INITIATIVE, _INITIATIVE.id == x.initiative_id)
        .outerjoin(_UNIT, _UNIT.id == x.unit_id)
        .outerjoin(_MILESTONE, _MILESTONE.id == x.milestone_id)
        .outerjoin(_OWNER, _OWNER.id == x.owner_id)
        .outerjoin(_ACKNOWLEDGER, _ACKNOWLEDGER.id == x.acknowledged_by_id)
        .where(x.id == exception_id, seen)
    ).first()
    if row is None:
        return None
    exception: m.PerformanceException = row[0]
    line = owner_line(session, exception.owner_id)
    steps = _timeline(session, exception.id, line)
    view = ExceptionView(
        id=exception.id,
        kind=exception.kind,
        kpi=row.kpi,
        kpi_name=row.kpi_name,
        initiative=row.initiative,
        initiative_name=row.initiative_name,
        item_visible=bool(row.item_visible),
        unit=row.unit,
        unit_name=row.unit_name,
        milestone=row.milestone,
        period=exception.period,
        detail=exception.detail,
        owner_id=exception.owner_id,
        owner=row.owner,
        owner_name=row.owner_name,
        owner_visible=bool(row.owner_visible),
        opened_at=exception.opened_at,
        closed_at=exception.closed_at,
        level=exception.level,
        level_since=exception.level_since,
        acknowledged_at=exception.acknowledged_at,
        acknowledged_by=row.acknowledger,
        acknowledged_by_name=(row.acknowledger_name or _last_actor(steps))
        if exception.acknowledged_at is not None
        else None,
        commitment=exception.commitment,
        commitment_due=exception.commitment_due,
        line=line,
        timeline=steps,
    )
    view.may_act = may_act(viewer, view)
    return view


def may_act(viewer: Viewer, view: ExceptionView) -> bool:
    """The owner, the managers above the owner, and admins may acknowledge or commit."""
    if viewer.is_admin:
        return True
    if viewer.person_id is None or view.owner_id is None:
        return False
    return viewer.person_id == view.owner_id or any(p.id == viewer.person_id for p in view.line)


def owner_line(session: Session, owner_id: int | None) -> list[LinePerson]:
    """The managers above the owner, nearest first, in one statement whatever the depth."""
    if owner_id is None:
        return []
    return [
        LinePerson(manager, slug, name, depth)
        for depth, (manager, slug, name) in enumerate(
            line_above(session, owner_id, MAX_LINE), start=1
        )
    ]


def _timeline(session: Session, exception_id: int, line: list[LinePerson]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            kind=str(step["kind"]),
            words=_step_words(step, line),
            at=step["at"],  # type: ignore[arg-type]
            level=step["level"],  # type: ignore[arg-type]
            actor=str(step["actor"] or SYSTEM_ACTOR),
            actor_person=step["actor_person"],  # type: ignore[arg-type]
            note=str(step["note"] or ""),
            deadline=step["deadline"],  # type: ignore[arg-type]
            detail=str(step["detail"] or ""),
        )
        for step in timeline(session, exception_id)
    ]


def _step_words(step: dict[str, Any], line: list[LinePerson]) -> str:
    kind = step["kind"]
    if kind == EventKind.exception_opened:
        return "Opened, with the owner"
    if kind == EventKind.exception_escalated:
        words = level_words(int(step["level"] or 0), line)
        return words[:1].upper() + words[1:]
    if kind == EventKind.exception_acknowledged:
        return "Acknowledged"
    if kind == EventKind.exception_committed:
        due = step["deadline"]
        return f"Turned into a commitment due {due.isoformat()}" if due else "Commitment made"
    if kind == EventKind.commitment_missed:
        return "The commitment's deadline passed: the escalation resumed"
    if kind == EventKind.exception_resolved:
        return "Resolved: its cause went away"
    return str(kind).replace("_", " ").capitalize()


def _last_actor(steps: list[TimelineEntry]) -> str | None:
    """Who acknowledged or committed last, when no person did (an admin's own account)."""
    acting = (EventKind.exception_acknowledged, EventKind.exception_committed)
    found = [s.actor for s in steps if s.kind in acting]
    return found[-1] if found else None


def viewer_action(session: Session, viewer: Viewer) -> Action:
    """The viewer acting on an exception: their person, and their account's email for audit."""
    email = session.execute(
        select(m.Account.email).where(m.Account.id == viewer.account_id)
    ).scalar()
    return Action(person_id=viewer.person_id, actor=email or f"account:{viewer.account_id}")
