"""Individual and business scorecards: three to five items per person, key KPIs per unit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aligna.demo.organisation import Organisation

MAX_ITEMS = 5
MIN_ITEMS = 3
WEIGHT = {"accountable": 3, "contributor": 2, "influencer": 1}
ROLE_ORDER = {"accountable": 0, "contributor": 1, "influencer": 2}
# Company-wide KPIs anyone can influence, used to give everyone at least three items.
EVERYONE_INFLUENCES = ("net-promoter-score", "lost-time-incidents", "revenue", "gross-margin")


@dataclass(frozen=True, slots=True)
class Item:
    """One scorecard row."""

    kind: str  # kpi | initiative
    item: str
    unit: str | None
    role: str
    weight: int


@dataclass(frozen=True, slots=True)
class KpiScope:
    """What the scorecards need to know about a KPI: its unit and how it is broken down."""

    id: str
    unit: str
    breakdown_kind: str | None
    data_roles: tuple[str, ...]


class Book:
    """Everyone's scorecard as it fills up, so that nobody gets more than five items."""

    def __init__(self, people: Iterable[str]) -> None:
        self.items: dict[str, list[Item]] = {p: [] for p in people}

    def load(self, person: str) -> int:
        """How many items the person has."""
        return len(self.items[person])

    def has(self, person: str, kind: str, item: str) -> bool:
        """Whether the person already has the item (any slice of it)."""
        return any(i.kind == kind and i.item == item for i in self.items[person])

    def add(self, person: str, kind: str, item: str, role: str, unit: str | None = None) -> bool:
        """Add an item unless it is there already or the scorecard is full."""
        if self.load(person) >= MAX_ITEMS or self.has(person, kind, item):
            return False
        self.items[person].append(Item(kind, item, unit, role, WEIGHT[role]))
        return True

    def pick(
        self, candidates: Iterable[str], below: int, exclude: Iterable[str] = ()
    ) -> str | None:
        """The first candidate with fewer than `below` items."""
        skip = set(exclude)
        return next((p for p in candidates if p not in skip and self.load(p) < below), None)

    def rows(self) -> Iterable[tuple[str, Item]]:
        """Every item, person by person, what they are accountable for first."""
        for person, items in self.items.items():
            for item in sorted(items, key=lambda i: ROLE_ORDER[i.role]):  # stable: keeps order
                yield person, item


def slice_of(org: Organisation, scope: KpiScope, unit_id: str) -> str | None:
    """The unit's own slice of a broken-down KPI: the unit or its closest ancestor of the kind."""
    if scope.breakdown_kind is None or scope.unit not in org.ancestors(unit_id):
        return None
    found = org.nearest_of_kind(unit_id, scope.breakdown_kind)
    if found is None or scope.unit not in org.ancestors(found):
        return None
    if scope.data_roles and org.units[found].role not in scope.data_roles:
        return None  # a team that produces none of the KPI's data has no value to show
    return found


def _candidates(
    org: Organisation, scopes: list[KpiScope], unit_id: str
) -> list[tuple[str, str | None]]:
    """KPIs a member of a unit works on: slices first, then their units' KPIs, nearest first."""
    chain = org.ancestors(unit_id)
    found: list[tuple[str, str | None]] = []
    for scope in scopes:
        if scope.breakdown_kind and scope.unit in chain:
            found.append((scope.id, slice_of(org, scope, unit_id)))
    for ancestor in chain:
        found.extend((s.id, None) for s in scopes if s.unit == ancestor and not s.breakdown_kind)
    return found


def fill_scorecards(org: Organisation, book: Book, scopes: list[KpiScope]) -> None:
    """Give everyone their unit's KPIs (slices where broken down) and at least three items."""
    cache: dict[str, list[tuple[str, str | None]]] = {}
    for pid, person in org.people.items():
        if person.unit not in cache:
            cache[person.unit] = _candidates(org, scopes, person.unit)
        for kpi, unit in cache[person.unit]:
            if book.load(pid) >= MAX_ITEMS - 1:
                break  # leave room: five is the most, and four leaves focus
            head = unit is not None and org.units[unit].head == pid
            book.add(pid, "kpi", kpi, "accountable" if head else "contributor", unit)
        for kpi in EVERYONE_INFLUENCES:
            if book.load(pid) >= MIN_ITEMS:
                break
            book.add(pid, "kpi", kpi, "influencer")


def business_scorecards(org: Organisation, scopes: list[KpiScope]) -> list[tuple[str, str, int]]:
    """Each unit's key KPIs: its own, its slices, else those of the closest unit that has some."""
    own: dict[str, list[str]] = {}
    for scope in scopes:
        own.setdefault(scope.unit, []).append(scope.id)
    plain = {s.id for s in scopes if not s.breakdown_kind}  # any unit may list these
    rows: list[tuple[str, str, int]] = []
    for uid in org.units:
        listed = [(k, 2) for k in own.get(uid, [])]
        listed += [(s.id, 1) for s in scopes if s.unit != uid and slice_of(org, s, uid) == uid]
        if not own.get(uid):
            nearest = next((a for a in org.ancestors(uid)[1:] if plain & set(own.get(a, []))), None)
            if nearest:
                listed += [(k, 1) for k in own[nearest] if k in plain][:3]
        rows.extend((uid, kpi, weight) for kpi, weight in listed)
    return rows
