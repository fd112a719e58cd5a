"""Who may see what (DESIGN.md "Permissions"), as SQL conditions every page and endpoint uses.

A hidden item is hidden everywhere: pages, the API, search, exports and counts all filter
with the same conditions, so there is one place to get visibility right.

- **admin** and **strategy office**: everything (the strategy office writes the project files
  that declare everything, restrictions included).
- **manager** (a person with direct reports): everything in their unit subtree and their
  reporting line below them, plus what a member sees.
- **member**: their own scorecard, the items they own, contribute to or influence, the
  organisation-level map (foundation, vision targets, objectives) and KPIs marked public.
- A KPI or initiative **restricted** to named people and units is seen only by those people,
  the people in those units (and the units below them), its owner, and admins and the
  strategy office; being public or in a manager's subtree does not open it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from aligna import model as m

ADMIN = "admin"
STRATEGY_OFFICE = "strategy_office"

# The tables the conditions look into, aliased once with fixed names: a caller's query may read
# the same tables (a scorecard's items) and an EXISTS must not correlate to them; fixed names
# keep every statement's text the same from request to request, so SQLAlchemy compiles it once
# (a fresh alias per call cost ~10 ms a statement). They only appear in sibling subqueries.
_STAFF = aliased(m.Person, name="visible_staff")
_BELOW, _STEP = aliased(m.Person, name="visible_below"), aliased(m.Person, name="visible_step")
_KPI_ACCESS = aliased(m.KpiAccess, name="visible_kpi_access")
_KPI_INFLUENCER = aliased(m.KpiInfluencer, name="visible_kpi_influencer")
_INITIATIVE_ACCESS = aliased(m.InitiativeAccess, name="visible_initiative_access")
_INITIATIVE_INFLUENCER = aliased(m.InitiativeInfluencer, name="visible_initiative_influencer")
_CONTRIBUTOR = aliased(m.InitiativeContributor, name="visible_contributor")
_ITEM = aliased(m.ScorecardItem, name="visible_item")
_UNIT, _SUBUNIT = aliased(m.Unit, name="managed_unit"), aliased(m.Unit, name="managed_subunit")


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as permissions see them."""

    account_id: int | None
    person_id: int | None
    name: str = ""  # the person's name, for the page header
    roles: frozenset[str] = frozenset()
    is_manager: bool = False
    units: tuple[int, ...] = ()  # the person's unit and extra teams
    lineage: tuple[int, ...] = ()  # those units and every unit above them
    managed_units: tuple[int, ...] = field(default=(), repr=False)  # own unit and below
    # A manager's visible KPIs and initiatives, worked out once (see _managed_sets): the SQL
    # conditions over a large reporting line cost hundreds of milliseconds a statement.
    kpi_ids: frozenset[int] | None = field(default=None, repr=False)
    initiative_ids: frozenset[int] | None = field(default=None, repr=False)
    # People below the manager in the reporting line who work outside the managed units
    # (usually few): with the units, who the manager sees, without walking the line each time.
    extra_people: frozenset[int] | None = field(default=None, repr=False)

    @cached_property
    def managed(self) -> Any:
        """The viewer's unit and every unit below it, as a subquery the database works out
        (a large manager's units are thousands of bound values otherwise)."""
        root = self.managed_units[0] if self.managed_units else -1
        tree = select(_UNIT.id).where(_UNIT.id == root).cte("managed_units", recursive=True)
        tree = tree.union_all(select(_SUBUNIT.id).where(_SUBUNIT.parent_id == tree.c.id))
        return select(tree.c.id)

    @cached_property
    def reports(self) -> Any:
        """Everyone below the viewer in the reporting line, as a subquery.

        One CTE object per viewer: every condition of a statement shares it (two CTEs of the
        same name would not compile), and its fixed name keeps the statement cacheable.
        """
        assert self.person_id is not None
        below = (
            select(_BELOW.id)
            .where(_BELOW.manager_id == self.person_id)
            .cte("reports", recursive=True)
        )
        below = below.union_all(select(_STEP.id).where(_STEP.manager_id == below.c.id))
        return select(below.c.id)

    @property
    def sees_all(self) -> bool:
        """Admins and the strategy office see everything."""
        return ADMIN in self.roles or STRATEGY_OFFICE in self.roles

    @property
    def is_admin(self) -> bool:
        """Whether the viewer may administer aligna (upload projects, accounts, roles)."""
        return ADMIN in self.roles

    @property
    def role_name(self) -> str:
        """The viewer's highest role, in words for the page header."""
        if ADMIN in self.roles:
            return "admin"
        if STRATEGY_OFFICE in self.roles:
            return "strategy office"
        return "manager" if self.is_manager else "member"


def load_viewer(
    session: Session, *, account_id: int | None, person_id: int | None, roles: frozenset[str]
) -> Viewer:
    """Build a viewer: the person's units, the units above them, and what they manage."""
    if person_id is None:
        return Viewer(account_id=account_id, person_id=None, roles=roles)
    person = session.execute(
        select(m.Person.unit_id, m.Person.name).where(m.Person.id == person_id)
    ).first()
    own_unit, name = (person.unit_id, person.name) if person else (None, "")
    teams = session.execute(
        select(m.TeamMembership.unit_id).where(m.TeamMembership.person_id == person_id)
    ).scalars()
    units = tuple(dict.fromkeys([u for u in [own_unit, *teams] if u is not None]))
    is_manager = (
        session.execute(
            select(m.Person.id)
            .where(m.Person.manager_id == person_id, m.Person.archived_at.is_(None))
            .limit(1)
        ).first()
        is not None
    )
    managed = tuple(unit_subtree(session, own_unit)) if is_manager and own_unit else ()
    viewer = Viewer(
        account_id=account_id,
        person_id=person_id,
        name=name,
        roles=roles,
        is_manager=is_manager,
        units=units,
        lineage=tuple(unit_lineage(session, units)),
        managed_units=managed,
    )
    if is_manager and not viewer.sees_all:
        kpis, initiatives, people = _managed_sets(session, viewer)
        viewer = replace(viewer, kpi_ids=kpis, initiative_ids=initiatives, extra_people=people)
    return viewer


# (person, roles, what the structure looked like) -> (visible KPIs, visible initiatives)
_managed_cache: OrderedDict[tuple[Any, ...], tuple[frozenset[int], ...]] = OrderedDict()
_managed_lock = threading.Lock()
MANAGED_CACHE_SIZE = 256


def _managed_sets(session: Session, viewer: Viewer) -> tuple[frozenset[int], ...]:
    """The KPIs and initiatives a manager may see, cached until the organisation changes.

    What a manager sees depends only on the project (people, units, scorecards, influencers,
    restrictions), which changes with a change set or an access row: their newest ids are the
    cache key, read in one statement per request.
    """
    version = session.execute(
        select(
            select(func.max(m.ChangeSet.id)).scalar_subquery(),
            select(func.max(m.KpiAccess.id)).scalar_subquery(),
            select(func.max(m.InitiativeAccess.id)).scalar_subquery(),
            select(func.count(m.KpiAccess.id)).scalar_subquery(),
            select(func.count(m.InitiativeAccess.id)).scalar_subquery(),
        )
    ).one()
    key = (viewer.person_id, viewer.roles, tuple(version))
    with _managed_lock:
        found = _managed_cache.get(key)
        if found is not None:
            _managed_cache.move_to_end(key)
            return found
    kpis = frozenset(
        session.execute(select(m.Kpi.id).where(_kpi_condition(viewer, m.Kpi))).scalars()
    )
    initiatives = frozenset(
        session.execute(
            select(m.Initiative.id).where(_initiative_condition(viewer, m.Initiative))
        ).scalars()
    )
    people = frozenset(
        session.execute(
            select(m.Person.id).where(
                m.Person.id.in_(viewer.reports), m.Person.unit_id.not_in(viewer.managed)
            )
        ).scalars()
    )
    found = (kpis, initiatives, people)
    with _managed_lock:
        _managed_cache[key] = found
        while len(_managed_cache) > MANAGED_CACHE_SIZE:
            _managed_cache.popitem(last=False)
    return found


def unit_subtree(session: Session, root: int) -> list[int]:
    """A unit and every unit below it."""
    tree = select(m.Unit.id).where(m.Unit.id == root).cte("subtree", recursive=True)
    tree = tree.union_all(select(m.Unit.id).where(m.Unit.parent_id == tree.c.id))
    return list(session.execute(select(tree.c.id)).scalars())


def unit_lineage(session: Session, units: tuple[int, ...]) -> list[int]:
    """The units and every unit above them."""
    if not units:
        return []
    up = (
        select(m.Unit.id, m.Unit.parent_id)
        .where(m.Unit.id.in_(units))
        .cte("lineage", recursive=True)
    )
    up = up.union_all(select(m.Unit.id, m.Unit.parent_id).where(m.Unit.id == up.c.parent_id))
    return list(dict.fromkeys(session.execute(select(up.c.id)).scalars()))


def person_visible(viewer: Viewer, person: type[m.Person] = m.Person) -> ColumnElement[bool]:
    """The condition under which the viewer may see a person and their scorecard."""
    if viewer.sees_all:
        return true()
    if viewer.person_id is None:
        return false()
    conditions: list[ColumnElement[bool]] = [person.id == viewer.person_id]
    if viewer.is_manager:
        conditions.append(person.unit_id.in_(viewer.managed))
        if viewer.extra_people is not None:
            extra = sorted(viewer.extra_people)
            conditions.append(
                person.id.in_(bindparam("visible_people", extra, expanding=True, unique=True))
            )
        else:
            conditions.append(person.id.in_(viewer.reports))
    return or_(*conditions)


def _scope_people(viewer: Viewer, column: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether a person column is the viewer or, for a manager, someone they manage."""
    assert viewer.person_id is not None
    conditions: list[ColumnElement[bool]] = [column == viewer.person_id]
    if viewer.is_manager:
        conditions.append(column.in_(viewer.reports))
        conditions.append(column.in_(select(_STAFF.id).where(_STAFF.unit_id.in_(viewer.managed))))
    return or_(*conditions)


def kpi_visible(viewer: Viewer, kpi: type[m.Kpi] = m.Kpi) -> ColumnElement[bool]:
    """The condition under which the viewer may see a KPI (its page, values and status)."""
    if viewer.sees_all:
        return true()
    if viewer.person_id is None:
        return false()
    if viewer.kpi_ids is not None:
        return kpi.id.in_(
            bindparam("visible_kpis", sorted(viewer.kpi_ids), expanding=True, unique=True)
        )
    return _kpi_condition(viewer, kpi)


def _kpi_condition(viewer: Viewer, kpi: type[m.Kpi]) -> ColumnElement[bool]:
    """The rules of KPI visibility for a person, as one SQL condition."""
    assert viewer.person_id is not None
    # Aliases: the caller's query may itself read these tables (a scorecard's items), and an
    # EXISTS must not correlate to them.
    access = _KPI_ACCESS
    restricted = exists().where(access.kpi_id == kpi.id)
    named = exists().where(
        access.kpi_id == kpi.id,
        or_(access.person_id == viewer.person_id, access.unit_id.in_(viewer.lineage or (-1,))),
    )
    influencer = _KPI_INFLUENCER
    item = _ITEM
    open_to: list[ColumnElement[bool]] = [
        kpi.public.is_(True),
        _scope_people(viewer, kpi.owner_id),
        exists().where(
            influencer.kpi_id == kpi.id,
            or_(
                _scope_people(viewer, influencer.person_id),
                influencer.unit_id.in_(viewer.units or (-1,)),
            ),
        ),
        exists().where(item.kpi_id == kpi.id, _scope_people(viewer, item.person_id)),
    ]
    if viewer.is_manager:
        open_to.append(kpi.unit_id.in_(viewer.managed))
    return or_(
        and_(~restricted, or_(*open_to)),
        and_(restricted, or_(kpi.owner_id == viewer.person_id, named)),
    )


def initiative_visible(
    viewer: Viewer, initiative: type[m.Initiative] = m.Initiative
) -> ColumnElement[bool]:
    """The condition under which the viewer may see an initiative."""
    if viewer.sees_all:
        return true()
    if viewer.person_id is None:
        return false()
    if viewer.initiative_ids is not None:
        ids = sorted(viewer.initiative_ids)
        return initiative.id.in_(bindparam("visible_initiatives", ids, expanding=True, unique=True))
    return _initiative_condition(viewer, initiative)


def _initiative_condition(viewer: Viewer, initiative: type[m.Initiative]) -> ColumnElement[bool]:
    """The rules of initiative visibility for a person, as one SQL condition."""
    assert viewer.person_id is not None
    access = _INITIATIVE_ACCESS
    restricted = exists().where(access.initiative_id == initiative.id)
    named = exists().where(
        access.initiative_id == initiative.id,
        or_(access.person_id == viewer.person_id, access.unit_id.in_(viewer.lineage or (-1,))),
    )
    influencer = _INITIATIVE_INFLUENCER
    contributor = _CONTRIBUTOR
    item = _ITEM
    open_to: list[ColumnElement[bool]] = [
        _scope_people(viewer, initiative.owner_id),
        exists().where(
            contributor.initiative_id == initiative.id,
            _scope_people(viewer, contributor.person_id),
        ),
        exists().where(
            influencer.initiative_id == initiative.id,
            or_(
                _scope_people(viewer, influencer.person_id),
                influencer.unit_id.in_(viewer.units or (-1,)),
            ),
        ),
        exists().where(
            item.initiative_id == initiative.id,
            _scope_people(viewer, item.person_id),
        ),
    ]
    if viewer.is_manager:
        open_to.append(initiative.unit_id.in_(viewer.managed))
    return or_(
        and_(~restricted, or_(*open_to)),
        and_(restricted, or_(initiative.owner_id == viewer.person_id, named)),
    )


def unit_visible(viewer: Viewer, unit: type[m.Unit] = m.Unit) -> ColumnElement[bool]:
    """Units (names and the tree) are the organisation's structure: every signed-in person
    sees them; what a unit page lists is filtered by the item conditions."""
    return literal(viewer.account_id is not None or viewer.sees_all)
