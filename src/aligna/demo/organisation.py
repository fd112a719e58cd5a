"""The demo organisation: a unit tree sized to the headcount, and people with managers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from aligna.demo.names import COMPANY_ID, COMPANY_NAME, EMAIL_DOMAIN, FIRST_NAMES, LAST_NAMES, TOWNS
from aligna.demo.templates import (
    DEPARTMENTS,
    DIVISIONS,
    REGIONS,
    SQUADS,
    STRATEGY_HEAD_MIN_PEOPLE,
    STRATEGY_OFFICE,
    DepartmentTemplate,
    TeamType,
)

SPAN = 12  # teams per manager before a department groups them into sites, then sections
REGION_SHARE = 0.10  # the sales regions together, whatever how many exist at this size


@dataclass(slots=True)
class Unit:
    """A unit of the tree, with its head and the people whose primary unit it is."""

    id: str
    name: str
    kind: str
    parent: str | None
    depth: int
    role: str | None = None
    head: str | None = None
    children: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    """A person: one primary unit, a position, a manager and extra teams."""

    id: str
    name: str
    email: str
    position: str
    unit: str
    manager: str | None = None
    teams: list[str] = field(default_factory=list)


@dataclass
class Organisation:
    """Units in depth-first order, people in order of seniority, and lookups over both."""

    units: dict[str, Unit]
    people: dict[str, Person]
    logical: dict[str, str]  # template id -> the unit standing for it at this size
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The company unit."""
        return COMPANY_ID

    def resolve(self, template_id: str) -> str:
        """The unit that stands for a template unit (a missing department falls to its parent)."""
        return self.logical[template_id]

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """The unit itself, then its parent, up to the root."""
        chain = self._ancestors.get(unit_id)
        if chain is None:
            parent = self.units[unit_id].parent
            chain = (unit_id, *(self.ancestors(parent) if parent else ()))
            self._ancestors[unit_id] = chain
        return chain

    def nearest_of_kind(self, unit_id: str, kind: str) -> str | None:
        """The unit itself or its closest ancestor of a kind."""
        return next((u for u in self.ancestors(unit_id) if self.units[u].kind == kind), None)

    def head_above(self, unit_id: str) -> str | None:
        """The head of the closest strict ancestor that has one."""
        for ancestor in self.ancestors(unit_id)[1:]:
            if self.units[ancestor].head:
                return self.units[ancestor].head
        return None

    def subtree(self, unit_id: str) -> Iterator[str]:
        """Units of a subtree, breadth first, starting with the unit."""
        queue = [unit_id]
        while queue:
            yield from queue
            queue = [child for u in queue for child in self.units[u].children]

    def people_in(self, unit_id: str) -> Iterator[str]:
        """People of a subtree: the heads level by level first, then everyone else."""
        units = list(self.subtree(unit_id))
        for u in units:
            if self.units[u].head:
                yield self.units[u].head  # type: ignore[misc]
        for u in units:
            yield from (p for p in self.units[u].members if p != self.units[u].head)

    def teams_with_role(self, role: str, within: str | None = None) -> list[str]:
        """Teams that produce a kind of warehouse data, optionally inside a unit."""
        found = [u.id for u in self.units.values() if u.role == role]
        if within is None:
            return found
        return [u for u in found if within in self.ancestors(u)]


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which template departments exist and how many teams each gets."""

    divisions: tuple[str, ...]
    departments: tuple[DepartmentTemplate, ...]
    teams: tuple[int, ...]
    shares: tuple[float, ...]
    strategy_head: bool
    analysts: int


def _grouping_heads(teams: int) -> int:
    """Heads of the sites and sections a department needs to keep spans at most SPAN."""
    if teams <= SPAN:
        return 0
    if teams <= SPAN * SPAN:
        return math.ceil(teams / SPAN)
    sites = math.ceil(teams / (SPAN * SPAN))
    sizes = np.array_split(np.arange(teams), sites)
    return sites + sum(math.ceil(len(s) / SPAN) for s in sizes)


def _plan(people: int) -> _Plan:
    """Size the tree: departments present at this headcount and their team counts."""
    divisions = tuple(d.id for d in DIVISIONS if people >= d.min_people)
    departments = tuple(
        d for d in DEPARTMENTS if people >= d.min_people and d.division in divisions
    )
    region_weight = sum(d.share for d in departments if d.kind == "region")
    raw = [
        REGION_SHARE * d.share / region_weight if d.kind == "region" else d.share
        for d in departments
    ]
    shares = tuple(s / sum(raw) for s in raw)
    strategy_head = people >= STRATEGY_HEAD_MIN_PEOPLE
    analysts = min(8, people // 2000) if strategy_head else 0
    fixed = 1 + len(divisions) + len(departments) + int(strategy_head) + analysts
    team_size = min(9.0, 2.6 + people / 150)  # tiny companies have tiny teams
    grouping = 0
    teams = [1] * len(departments)
    for _ in range(3):  # the grouping heads depend on the team counts and vice versa
        available = people - fixed - grouping
        teams = [max(1, round(available * s / team_size)) for s in shares]
        grouping = sum(_grouping_heads(t) for t in teams)
    # Every team needs at least its lead: trim the largest departments until everyone fits.
    while sum(teams) + sum(_grouping_heads(t) for t in teams) > people - fixed:
        largest = max(range(len(teams)), key=lambda i: (teams[i], -i))
        if teams[largest] == 1:
            raise ValueError(f"{people} people are too few for the demo organisation")
        teams[largest] -= 1
    return _Plan(divisions, departments, tuple(teams), shares, strategy_head, analysts)


def _split_by_weight(total: int, weights: list[float], first_at_least_one: bool) -> list[int]:
    """Split a count by weights with the largest-remainder method (deterministic)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    if first_at_least_one and total > 0 and counts[0] == 0:
        counts[0] = 1
    missing = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - math.floor(exact[i])), i))
    for i in order[: max(0, missing)]:
        counts[i] += 1
    for _ in range(-missing):  # only when the first was forced up
        i = max(range(len(counts)), key=lambda j: (counts[j], j))
        counts[i] -= 1
    return counts


def _interleaved_types(department: DepartmentTemplate, teams: int) -> list[TeamType]:
    """Team types in an order that mixes them, so every site gets a bit of each."""
    counts = _split_by_weight(teams, [t.weight for t in department.team_types], True)
    slots = [
        ((j + 0.5) / count, k, team_type)
        for k, (team_type, count) in enumerate(zip(department.team_types, counts, strict=True))
        for j in range(count)
    ]
    return [team_type for _, _, team_type in sorted(slots, key=lambda s: (s[0], s[1]))]


def _town(index: int) -> str:
    """A town name for the n-th site, numbered once the list runs out."""
    town = TOWNS[index % len(TOWNS)]
    return town if index < len(TOWNS) else f"{town} {index // len(TOWNS) + 1}"


def _slug(text: str) -> str:
    """An id fragment from a name."""
    return "-".join(text.lower().replace("&", "and").split())


class _TreeBuilder:
    """Adds units depth first and remembers their heads' positions."""

    def __init__(self) -> None:
        self.units: dict[str, Unit] = {}
        self.head_titles: dict[str, str] = {}

    def add(
        self,
        uid: str,
        name: str,
        kind: str,
        parent: str | None,
        title: str | None,
        role: str | None = None,
    ) -> str:
        """Add a unit under its parent; `title` is its head's position, if it has a head."""
        depth = self.units[parent].depth + 1 if parent else 1
        self.units[uid] = Unit(uid, name, kind, parent, depth, role)
        if parent:
            self.units[parent].children.append(uid)
        if title:
            self.head_titles[uid] = title
        return uid

    def department(
        self, template: DepartmentTemplate, teams: int, order: int, numbers: dict[str, int]
    ) -> list[tuple[str, TeamType]]:
        """Add a department, its sites and sections when large, and its teams."""
        dept = self.add(
            template.id, template.name, template.kind, template.division, template.head_title
        )
        types = _interleaved_types(template, teams)
        parents: list[tuple[str, int]] = []  # (parent unit, how many teams it holds)
        if teams <= SPAN:
            parents = [(dept, teams)]
        else:
            sites = math.ceil(teams / SPAN) if teams <= SPAN * SPAN else math.ceil(teams / SPAN**2)
            for i, chunk in enumerate(np.array_split(np.arange(teams), sites)):
                site = self._site(template, dept, order * 5 + i, i)
                if teams <= SPAN * SPAN:
                    parents.append((site, len(chunk)))
                    continue
                for j, part in enumerate(np.array_split(chunk, math.ceil(len(chunk) / SPAN))):
                    name = f"{self.units[site].name} Section {j + 1}"
                    section = self.add(
                        f"{site}-s{j + 1}", name, "department", site, template.section_head
                    )
                    parents.append((section, len(part)))
        made: list[tuple[str, TeamType]] = []
        iterator = iter(types)
        for parent, count in parents:
            for _ in range(count):
                team_type = next(iterator)
                numbers[team_type.key] = number = numbers.get(team_type.key, 0) + 1
                uid = self.add(
                    f"{team_type.key}-{number}",
                    f"{team_type.name} {number}",
                    "team",
                    parent,
                    team_type.lead_title,
                    team_type.role,
                )
                made.append((uid, team_type))
        return made

    def _site(self, template: DepartmentTemplate, dept: str, town_index: int, i: int) -> str:
        """Add a site (plant, depot, ...) grouping some of a large department's teams."""
        if not template.site_word:
            name, uid = f"{template.name} Group {i + 1}", f"{dept}-group-{i + 1}"
        else:
            town = _town(town_index)
            word = template.site_word
            name = f"{town} {word}" if word == "Area" else f"{word} {town}"
            uid = f"{dept}-{_slug(town)}"
        return self.add(uid, name, "department", dept, template.site_head)


def build_organisation(people: int, rng: np.random.Generator) -> Organisation:
    """Build the unit tree and exactly `people` people, deterministically from the generator."""
    plan = _plan(people)
    tree = _TreeBuilder()
    tree.add(COMPANY_ID, COMPANY_NAME, "company", None, "Chief Executive Officer")
    logical = {"company": COMPANY_ID}
    teams_of: dict[str, list[tuple[str, TeamType]]] = {}
    numbers: dict[str, int] = {}
    for division in DIVISIONS:
        parent = division.id if division.id in plan.divisions else COMPANY_ID
        logical[division.id] = parent
        if division.id not in plan.divisions:
            continue
        tree.add(division.id, division.name, "division", COMPANY_ID, division.head_title)
        for k, template in enumerate(plan.departments):
            if template.division == division.id:
                count = plan.teams[k]
                teams_of[template.id] = tree.department(template, count, k, numbers)
    for template in (*DEPARTMENTS, *REGIONS):
        logical.setdefault(
            template.id, template.id if template.id in tree.units else logical[template.division]
        )
    head = "Head of Strategy" if plan.strategy_head else None
    tree.add(STRATEGY_OFFICE, "Strategy Office", "department", COMPANY_ID, head)
    logical[STRATEGY_OFFICE] = STRATEGY_OFFICE
    for uid, name, _ in SQUADS:
        tree.add(uid, name, "team", STRATEGY_OFFICE, None)
    staff = _staff_teams(plan, teams_of, people - len(tree.head_titles) - plan.analysts, rng)
    org = Organisation(tree.units, {}, logical)
    _add_people(org, tree.head_titles, staff, plan.analysts, rng)
    return org


def _staff_teams(
    plan: _Plan,
    teams_of: dict[str, list[tuple[str, TeamType]]],
    members: int,
    rng: np.random.Generator,
) -> dict[str, tuple[TeamType, int]]:
    """How many members (besides the lead) each team gets; sizes vary around the average."""
    share_of = {d.id: s for d, s in zip(plan.departments, plan.shares, strict=True)}
    teams = [(uid, tt, dept) for dept, made in teams_of.items() for uid, tt in made]
    spread = rng.uniform(0.7, 1.3, size=len(teams))
    weights = [
        float(spread[i]) * share_of[dept] / len(teams_of[dept])
        for i, (_, _, dept) in enumerate(teams)
    ]
    counts = _split_by_weight(members, weights, False)
    return {uid: (tt, counts[i]) for i, (uid, tt, _) in enumerate(teams)}


def _add_people(
    org: Organisation,
    head_titles: dict[str, str],
    staff: dict[str, tuple[TeamType, int]],
    analysts: int,
    rng: np.random.Generator,
) -> None:
    """Create people in order of seniority: heads level by level, then team members."""
    slots: list[tuple[str, str, bool]] = []  # (unit, position, is head)
    for uid in sorted(org.units, key=lambda u: org.units[u].depth):  # stable: depth-first within
        if uid in head_titles:
            slots.append((uid, head_titles[uid], True))
    slots.extend((STRATEGY_OFFICE, "Strategy Analyst", False) for _ in range(analysts))
    for uid, (team_type, count) in staff.items():
        titles = rng.integers(len(team_type.member_titles), size=count)
        slots.extend((uid, team_type.member_titles[int(t)], False) for t in titles)
    width = max(4, len(str(len(slots))))
    firsts = rng.integers(len(FIRST_NAMES), size=len(slots))
    lasts = rng.integers(len(LAST_NAMES), size=len(slots))
    taken: dict[str, int] = {}
    for n, (uid, position, is_head) in enumerate(slots):
        first, last = FIRST_NAMES[int(firsts[n])], LAST_NAMES[int(lasts[n])]
        local = f"{first}.{last}".lower()
        taken[local] = seen = taken.get(local, 0) + 1
        email = f"{local}{seen if seen > 1 else ''}@{EMAIL_DOMAIN}"
        pid = f"p-{n + 1:0{width}d}"
        unit = org.units[uid]
        if is_head:
            unit.head = pid
            manager = org.head_above(uid)
        else:
            manager = unit.head or org.head_above(uid)
        unit.members.append(pid)
        org.people[pid] = Person(pid, f"{first} {last}", email, position, uid, manager)
