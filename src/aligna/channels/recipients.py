"""Who hears of an event: the owner of the item, the managers an exception climbed to, its
influencers (people, and the leads of influencing units) and its followers.

Each person hears of an event once, in their strongest role (owner, then manager, then
influencer, then follower); whoever caused the event (an acknowledgement) is not told of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.channels.reporting_line import managers_above
from aligna.enums import EventKind, RecipientRole, Role

CHUNK = 500
ACTING = (RecipientRole.owner, RecipientRole.manager)
RANK = {
    RecipientRole.owner: 0,
    RecipientRole.manager: 1,
    RecipientRole.influencer: 2,
    RecipientRole.follower: 3,
}
# Events after which everyone the exception reached hears how it went on.
FOLLOW_UPS = (
    EventKind.exception_acknowledged,
    EventKind.exception_committed,
    EventKind.commitment_missed,
    EventKind.exception_resolved,
)


@dataclass(frozen=True)
class Recipient:
    """A person to tell of an event, in which role, and why (said in the message)."""

    person_id: int
    role: RecipientRole
    reason: str


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    values = sorted(set(ids))
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class Audience:
    """Everything needed to find the recipients of a batch of events, read in a few queries."""

    def __init__(self, session: Session, events: Sequence[m.ChannelEvent]) -> None:
        self.session = session
        kpis = {e.kpi_id for e in events if e.kpi_id is not None}
        initiatives = {e.initiative_id for e in events if e.initiative_id is not None}
        exceptions = {e.exception_id for e in events if e.exception_id is not None}
        self.exceptions: dict[int, tuple[int | None, int]] = {}
        for ids in _chunks(exceptions):
            x = m.PerformanceException
            rows = session.execute(select(x.id, x.owner_id, x.level).where(x.id.in_(ids)))
            self.exceptions.update({i: (o, lv) for i, o, lv in rows})
        self.kpi_owner = self._owners(m.Kpi, kpis)
        self.initiative_owner = self._owners(m.Initiative, initiatives)
        self.slice_owner: dict[tuple[int, int], int] = {}
        self.influencers: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
        self.followers: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.on_scorecards: dict[tuple[int, int | None], list[tuple[int, str]]] = defaultdict(list)
        self._read_kpi_people(kpis)
        self._read_initiative_people(initiatives)
        self._read_followers(kpis, initiatives)
        self.restrictions = Restrictions(session, kpis, initiatives)
        owners = {o for o, _ in self.exceptions.values() if o is not None}
        levels = max((lv for _, lv in self.exceptions.values()), default=0)
        levels = max([levels, *(e.level or 0 for e in events)])
        self.managers = managers_above(session, owners, levels) if levels else {}

    def _owners(self, table: type[m.Kpi] | type[m.Initiative], ids: set[int]) -> dict[int, int]:
        owners: dict[int, int] = {}
        for chunk in _chunks(ids):
            rows = self.session.execute(select(table.id, table.owner_id).where(table.id.in_(chunk)))
            owners.update({key: value for key, value in rows})
        return owners

    def _read_influencers(self, kind: str, ids: set[int]) -> list[tuple[tuple[str, int], int, str]]:
        """The named influencers of KPIs or initiatives; the influencing units are returned, to be
        told through their leads once the items' other people are known."""
        table = m.KpiInfluencer if kind == "kpi" else m.InitiativeInfluencer
        column = table.kpi_id if kind == "kpi" else table.initiative_id  # type: ignore[union-attr]
        unit_influence: list[tuple[tuple[str, int], int, str]] = []
        for chunk in _chunks(ids):
            for item, person, unit, how in self.session.execute(
                select(column, table.person_id, table.unit_id, table.kind).where(column.in_(chunk))
            ):
                label = str(how).replace("_", "-")
                if person is not None:
                    self.influencers[(kind, item)].append((person, label))
                else:
                    unit_influence.append(((kind, item), unit, label))
        return unit_influence

    def _read_kpi_people(self, kpis: set[int]) -> None:
        unit_influence = self._read_influencers("kpi", kpis)
        item = m.ScorecardItem
        for chunk in _chunks(kpis):
            for kpi, unit, person, role in self.session.execute(
                select(item.kpi_id, item.unit_id, item.person_id, item.role).where(
                    item.kpi_id.in_(chunk)
                )
            ):
                if role == Role.accountable and unit is not None:
                    self.slice_owner.setdefault((kpi, unit), person)
                elif role != Role.accountable:
                    # Only for their own slice (or the whole KPI): a contributor to one
                    # team's value does not need every other team's news.
                    self.on_scorecards[(kpi, unit)].append((person, f"on your scorecard as {role}"))
        self._add_unit_leads(unit_influence)

    def _read_initiative_people(self, initiatives: set[int]) -> None:
        unit_influence = self._read_influencers("initiative", initiatives)
        c = m.InitiativeContributor
        for chunk in _chunks(initiatives):
            for initiative, person in self.session.execute(
                select(c.initiative_id, c.person_id).where(c.initiative_id.in_(chunk))
            ):
                self.influencers[("initiative", initiative)].append((person, "contributor"))
        self._add_unit_leads(unit_influence)

    def _add_unit_leads(self, unit_influence: list[tuple[tuple[str, int], int, str]]) -> None:
        """A unit influences through its leads: its people whose manager is outside it."""
        if not unit_influence:
            return
        units = {u for _, u, _ in unit_influence}
        people: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        for chunk in _chunks(units):
            p = m.Person
            for person, unit, manager in self.session.execute(
                select(p.id, p.unit_id, p.manager_id).where(
                    p.unit_id.in_(chunk), p.archived_at.is_(None)
                )
            ):
                people[unit].append((person, manager))
        for item, unit, label in unit_influence:
            members = {person for person, _ in people[unit]}
            for person, manager in people[unit]:
                if manager is None or manager not in members:
                    self.influencers[item].append((person, f"{label}, as a lead of your unit"))

    def _read_followers(self, kpis: set[int], initiatives: set[int]) -> None:
        f = m.Follow
        for column, kind, ids in (
            (f.kpi_id, "kpi", kpis),
            (f.initiative_id, "initiative", initiatives),
        ):
            for chunk in _chunks(ids):
                for item, person in self.session.execute(
                    select(column, f.person_id).where(column.in_(chunk))
                ):
                    self.followers[(kind, item)].append(person)

    def owner_of(self, event: m.ChannelEvent) -> int | None:
        """Who is accountable for what the event is about."""
        if event.exception_id is not None:
            owner, _ = self.exceptions.get(event.exception_id, (None, 0))
            if owner is not None:
                return owner
        if event.kpi_id is not None:
            if event.unit_id is not None:
                sliced = self.slice_owner.get((event.kpi_id, event.unit_id))
                if sliced is not None:
                    return sliced
            return self.kpi_owner.get(event.kpi_id)
        if event.initiative_id is not None:
            return self.initiative_owner.get(event.initiative_id)
        return None

    def recipients(self, event: m.ChannelEvent) -> list[Recipient]:
        """Everyone who hears of an event, each once in their strongest role."""
        found: dict[int, Recipient] = {}

        def add(person: int | None, role: RecipientRole, reason: str) -> None:
            if person is None or person == event.actor_person_id:
                return
            known = found.get(person)
            if known is None or RANK[role] < RANK[known.role]:
                found[person] = Recipient(person, role, reason)

        owner = self.owner_of(event)
        add(owner, RecipientRole.owner, "you are accountable for it")
        line = self.managers.get(owner, []) if owner is not None else []
        if event.kind == EventKind.exception_escalated and event.level:
            if len(line) >= event.level:
                add(line[event.level - 1], RecipientRole.manager, _escalated(event.level))
            for level in range(1, event.level):  # who it reached before hears it climbed
                if len(line) >= level:
                    add(line[level - 1], RecipientRole.manager, _escalated(level))
        elif event.kind in FOLLOW_UPS and event.exception_id is not None:
            _, reached = self.exceptions.get(event.exception_id, (None, 0))
            for level in range(1, reached + 1):
                if len(line) >= level:
                    add(line[level - 1], RecipientRole.manager, _escalated(level))
        item = (
            ("kpi", event.kpi_id)
            if event.kpi_id is not None
            else ("initiative", event.initiative_id)
        )
        if item[1] is not None:
            key = (item[0], int(item[1]))
            for person, how in self.influencers.get(key, []):
                add(person, RecipientRole.influencer, f"you influence it ({how})")
            if event.kpi_id is not None:
                for person, how in self.on_scorecards.get((event.kpi_id, event.unit_id), []):
                    add(person, RecipientRole.influencer, f"it is {how}")
            for person in self.followers.get(key, []):
                add(person, RecipientRole.follower, "you follow it")
        if item[1] is not None and self.restrictions.restricted(item[0], int(item[1])):
            # A restricted item is told only to those who may see it: its owner and the
            # managers it reached (who may open the exception), and the people it is open to.
            allowed = self.restrictions.allowed(
                item[0], int(item[1]), [p for p, r in found.items() if r.role not in ACTING]
            )
            found = {p: r for p, r in found.items() if r.role in ACTING or p in allowed}
        return sorted(found.values(), key=lambda r: (RANK[r.role], r.person_id))


class Restrictions:
    """Which of a batch's items are restricted to named people and units, and who may see
    them: the same rule as the web's (web/access.py), read for the recipients at hand."""

    def __init__(self, session: Session, kpis: set[int], initiatives: set[int]) -> None:
        self.session = session
        self.grants: dict[tuple[str, int], tuple[set[int], set[int]]] = {}
        for kind, table, column, ids in (
            ("kpi", m.KpiAccess, m.KpiAccess.kpi_id, kpis),
            ("initiative", m.InitiativeAccess, m.InitiativeAccess.initiative_id, initiatives),
        ):
            for chunk in _chunks(ids):
                for item, person, unit in session.execute(
                    select(column, table.person_id, table.unit_id).where(column.in_(chunk))
                ):
                    people, units = self.grants.setdefault((kind, item), (set(), set()))
                    (people if person is not None else units).add(person or unit)

    def restricted(self, kind: str, item: int) -> bool:
        """Whether the item is visible only to named people and units."""
        return (kind, item) in self.grants

    def allowed(self, kind: str, item: int, people: list[int]) -> set[int]:
        """Those of the people who may see the item: named, in a named unit or below it, or
        admins and the strategy office (who see everything)."""
        named, units = self.grants[(kind, item)]
        allowed = {p for p in people if p in named}
        rest = [p for p in people if p not in allowed]
        if not rest:
            return allowed
        if units:
            parent = dict(self.session.execute(select(m.Unit.id, m.Unit.parent_id)).all())
            for person, unit in self._units_of(rest):
                seen: set[int] = set()
                while unit is not None and unit not in seen:
                    if unit in units:
                        allowed.add(person)
                        break
                    seen.add(unit)
                    unit = parent.get(unit)
        rest = [p for p in rest if p not in allowed]
        for chunk in _chunks(rest):
            allowed.update(
                self.session.scalars(
                    select(m.Account.person_id)
                    .join(m.AccountRole, m.AccountRole.account_id == m.Account.id)
                    .where(m.Account.person_id.in_(chunk))
                )
            )
        return allowed

    def _units_of(self, people: list[int]) -> list[tuple[int, int | None]]:
        """Each person's own unit and the extra teams they belong to."""
        pairs: list[tuple[int, int | None]] = []
        for chunk in _chunks(people):
            pairs += list(
                self.session.execute(
                    select(m.Person.id, m.Person.unit_id).where(m.Person.id.in_(chunk))
                ).all()
            )
            pairs += list(
                self.session.execute(
                    select(m.TeamMembership.person_id, m.TeamMembership.unit_id).where(
                        m.TeamMembership.person_id.in_(chunk)
                    )
                ).all()
            )
        return pairs


def _escalated(level: int) -> str:
    return "it was escalated to you" if level == 1 else f"it was escalated to you (level {level})"
