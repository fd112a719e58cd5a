"""Applying a plan: one transaction, kinds in dependency order, every change audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.files.canonical import KIND_MODELS, BusinessItemRecord, ScorecardItemRecord
from aligna.files.channel_rows import write_channels
from aligna.files.plan import Action, Change, Plan
from aligna.files.snapshot import ENTITY_TABLES, Keys, read_keys
from aligna.model.base import utcnow

CHUNK = 500  # bound IN lists and parameter counts on both SQLite and PostgreSQL
SELF_PARENT = {"unit": "parent", "person": "manager", "objective": "parent"}


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did: the change set it recorded and how many entities it touched."""

    change_set_id: int | None
    counts: dict[str, dict[str, int]]


def apply_plan(
    session: Session, plan: Plan, *, actor: str, message: str, source: str = ""
) -> ApplyResult:
    """Write every change of a plan and its audit entries; the caller owns the transaction."""
    counts = {kind: {} for kind in plan.changes}
    for kind, changes in plan.changes.items():
        for change in changes:
            counts[kind][change.action.value] = counts[kind].get(change.action.value, 0) + 1
    if plan.empty:
        return ApplyResult(None, counts)
    keys = read_keys(session)
    writer = _Writer(session, keys)
    for kind in ENTITY_TABLES:
        writer.entities(kind, plan.changes[kind])
    writer.foundation(plan.changes["foundation"])
    for kind in SELF_PARENT:
        writer.self_references(kind, plan.changes[kind])
    writer.children(plan)
    writer.scorecards(plan.changes["scorecard"])
    writer.business_scorecards(plan.changes["business_scorecard"])
    write_channels(session, plan, keys, writer.model)
    change_set_id = _audit(session, plan, actor=actor, message=message, source=source)
    _target_versions(session, plan, keys, change_set_id)
    return ApplyResult(change_set_id, counts)


def _target_versions(session: Session, plan: Plan, keys: Keys, change_set_id: int) -> None:
    """Keep every target a KPI was given, with when: a period is judged by the target it had."""
    now = utcnow()
    rows = [
        {
            "kpi_id": keys.ids["kpi"][change.key],
            "set_at": now,
            "change_set_id": change_set_id,
            "target": (change.after or {}).get("target"),
        }
        for change in plan.changes["kpi"]
        if change.action in (Action.add, Action.restore)
        or (change.action is Action.change and "target" in change.fields)
    ]
    _insert(session, m.KpiTargetVersion, rows)


def _construct(kind: str, record: Any) -> Any:
    """A model from a canonical record; flat records were validated already, so only built."""
    model = KIND_MODELS[kind]
    if kind in ("value", "unit", "person"):
        return model.model_construct(**record)
    if kind in ("scorecard", "business_scorecard"):
        item_model = ScorecardItemRecord if kind == "scorecard" else BusinessItemRecord
        key = "person" if kind == "scorecard" else "unit"
        items = [item_model.model_construct(**item) for item in record["items"]]
        return model.model_construct(**{key: record[key], "items": items})
    return model.model_validate(record)


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with plain Core executemany: no ORM bookkeeping per row."""
    connection = session.connection()
    for chunk in _chunks(rows, 5000):
        connection.execute(table.__table__.insert(), chunk)


def _update(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Update many rows by primary key with one executemany per set of columns."""
    t = table.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {("_id" if k == "id" else k): v for k, v in row.items()}
        groups.setdefault(tuple(sorted(values)), []).append(values)
    connection = session.connection()
    for group in groups.values():
        for chunk in _chunks(group, 5000):
            connection.execute(t.update().where(t.c.id == bindparam("_id")), chunk)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Turns canonical records into rows, resolving slugs to integer keys as it goes."""

    def __init__(self, session: Session, keys: Keys) -> None:
        self.session = session
        self.keys = keys
        self.now = utcnow()
        self.models: dict[tuple[str, str], Any] = {}

    def model(self, change: Change) -> Any:
        """The model of a change's new record, with every default filled in."""
        cache_key = (change.kind, change.key)
        built = self.models.get(cache_key)
        if built is None:
            built = self.models[cache_key] = _construct(change.kind, change.after)
        return built

    def id(self, kind: str, slug: str | None) -> int | None:
        """The integer key of a slug (None stays None)."""
        return None if slug is None else self.keys.ids[kind][slug]

    def entities(self, kind: str, changes: list[Change]) -> None:
        """Insert, update, restore and archive the main rows of one entity kind."""
        table = ENTITY_TABLES[kind]
        added = [c for c in changes if c.action is Action.add]
        updated = [c for c in changes if c.action in (Action.change, Action.restore)]
        removed = [c for c in changes if c.action is Action.remove]
        build: Callable[[Any], dict[str, Any]] = getattr(self, f"_{kind}_row")
        if added:
            rows = [{"slug": c.key, **build(self.model(c))} for c in added]
            _insert(self.session, table, rows)
            fresh = self.session.execute(
                select(table.id, table.slug).where(table.slug.in_([c.key for c in added]))
                if len(added) <= CHUNK
                else select(table.id, table.slug)
            ).all()
            for key, slug in fresh:
                self.keys.ids[kind][slug] = key
                self.keys.slugs[kind][key] = slug
        if updated:
            rows = [
                {"id": self.keys.ids[kind][c.key], "archived_at": None, **build(self.model(c))}
                for c in updated
            ]
            _update(self.session, table, rows)
        if removed:
            # Removing an entity archives it: its history stays.
            rows = [{"id": self.keys.ids[kind][c.key], "archived_at": self.now} for c in removed]
            _update(self.session, table, rows)

    def self_references(self, kind: str, changes: list[Change]) -> None:
        """Set parents and managers once every entity of the kind exists."""
        field = SELF_PARENT[kind]
        column = "manager_id" if kind == "person" else "parent_id"
        rows = [
            {"id": self.keys.ids[kind][c.key], column: self.id(kind, getattr(self.model(c), field))}
            for c in changes
            if c.action is not Action.remove
        ]
        if rows:
            _update(self.session, ENTITY_TABLES[kind], rows)

    def foundation(self, changes: list[Change]) -> None:
        """Write the single foundation row."""
        for change in changes:
            values = (
                {"mission": "", "vision": "", "horizon": None}
                if change.action is Action.remove
                else {
                    "mission": self.model(change).mission,
                    "vision": self.model(change).vision,
                    "horizon": self.model(change).horizon,
                }
            )
            existing = self.session.execute(select(m.Foundation.id)).scalar()
            if existing is None:
                self.session.execute(insert(m.Foundation), [{"id": 1, **values}])
            else:
                self.session.execute(
                    update(m.Foundation).where(m.Foundation.id == existing).values(**values)
                )

    # --- main rows -----------------------------------------------------------------------------

    def _value_row(self, v: Any) -> dict[str, Any]:
        return {"name": v.name, "description": v.description}

    def _unit_row(self, u: Any) -> dict[str, Any]:
        return {"name": u.name, "kind": u.kind}

    def _person_row(self, p: Any) -> dict[str, Any]:
        return {
            "name": p.name,
            "email": p.email,
            "position": p.position,
            "unit_id": self.id("unit", p.unit),
        }

    def _connection_row(self, c: Any) -> dict[str, Any]:
        return {
            "description": c.description,
            "url": c.url,
            "timeout_seconds": c.timeout_seconds,
            "refresh_schedule": c.refresh,
            "options": dict(c.options),
        }

    def _process_row(self, p: Any) -> dict[str, Any]:
        return {
            "name": p.name,
            "description": p.description,
            "owner_id": self.id("person", p.owner),
            "unit_id": self.id("unit", p.unit),
        }

    def _objective_row(self, o: Any) -> dict[str, Any]:
        return {
            "name": o.name,
            "description": o.description,
            "owner_id": self.id("person", o.owner),
            "unit_id": self.id("unit", o.unit),
            "weight": o.weight,
        }

    def _kpi_row(self, k: Any) -> dict[str, Any]:
        t = k.target
        row: dict[str, Any] = {
            "name": k.name,
            "definition": k.definition,
            "unit_of_measure": k.unit_of_measure,
            "polarity": k.polarity,
            "frequency": k.frequency,
            "aggregation": k.aggregation,
            "owner_id": self.id("person", k.owner),
            "unit_id": self.id("unit", k.unit),
            "process_id": self.id("process", k.process),
            "staleness_days": k.staleness_days,
            "public": k.public,
            "source_manual": k.source.manual,
            "connection_id": self.id("connection", k.source.connection),
            "query": k.source.query,
            "refresh_schedule": k.refresh,
            "breakdown_unit_kind": k.breakdown.unit_kind if k.breakdown else None,
            "breakdown_total": k.breakdown.total if k.breakdown else None,
            "baseline_period": t.baseline.period if t and t.baseline else None,
            "baseline_value": t.baseline.value if t and t.baseline else None,
            "target_value": t.value if t else None,
            "target_by": t.by if t else None,
            "target_shape": t.shape if t else None,
            "red_flag_offset": t.red_flag.offset if t and t.red_flag else None,
            "red_flag_value": t.red_flag.value if t and t.red_flag else None,
            "stretch_offset": t.stretch.offset if t and t.stretch else None,
            "stretch_value": t.stretch.value if t and t.stretch else None,
            "band_lo": t.band.lo if t and t.band else None,
            "band_hi": t.band.hi if t and t.band else None,
            "red_band_lo": t.red_band.lo if t and t.red_band else None,
            "red_band_hi": t.red_band.hi if t and t.red_band else None,
        }
        return row

    def _vision_target_row(self, v: Any) -> dict[str, Any]:
        return {
            "name": v.name,
            "kpi_id": self.id("kpi", v.kpi),
            "value": v.value,
            "year": v.year,
            "projection": v.projection,
        }

    def _initiative_row(self, i: Any) -> dict[str, Any]:
        return {
            "name": i.name,
            "description": i.description,
            "owner_id": self.id("person", i.owner),
            "unit_id": self.id("unit", i.unit),
            "start_date": i.start,
            "end_date": i.end,
            "budget": i.budget,
            "budget_unit": i.budget_unit,
            "mission_gap": i.mission_gap,
        }

    # --- child rows ----------------------------------------------------------------------------

    def children(self, plan: Plan) -> None:
        """Replace the child rows of every added, changed or restored entity."""
        specs: dict[str, list[tuple[Any, str, Callable[[int, Any], list[dict[str, Any]]]]]] = {
            "person": [(m.TeamMembership, "person_id", self._teams)],
            "objective": [(m.ObjectiveVisionTarget, "objective_id", self._objective_targets)],
            "kpi": [
                (m.KpiInfluencer, "kpi_id", self._kpi_influencers),
                (m.KpiAccess, "kpi_id", self._kpi_access),
                (m.KpiObjective, "kpi_id", self._kpi_objectives),
                (m.KpiTargetOverride, "kpi_id", self._kpi_overrides),
            ],
            "initiative": [
                (m.InitiativeContributor, "initiative_id", self._contributors),
                (m.InitiativeInfluencer, "initiative_id", self._initiative_influencers),
                (m.InitiativeAccess, "initiative_id", self._initiative_access),
                (m.InitiativeContribution, "initiative_id", self._contributions),
            ],
        }
        for kind, tables in specs.items():
            live = [c for c in plan.changes[kind] if c.action is not Action.remove]
            if not live:
                continue
            replaced = [self.keys.ids[kind][c.key] for c in live if c.action is not Action.add]
            for table, column, build in tables:
                for chunk in _chunks(replaced):
                    self.session.execute(delete(table).where(getattr(table, column).in_(chunk)))
                rows = [
                    row for c in live for row in build(self.keys.ids[kind][c.key], self.model(c))
                ]
                _insert(self.session, table, rows)
        self._milestones([c for c in plan.changes["initiative"] if c.action is not Action.remove])

    def _teams(self, key: int, p: Any) -> list[dict[str, Any]]:
        return [
            {"person_id": key, "unit_id": self.id("unit", team), "position": i}
            for i, team in enumerate(p.teams)
        ]

    def _objective_targets(self, key: int, o: Any) -> list[dict[str, Any]]:
        return [
            {
                "objective_id": key,
                "vision_target_id": self.id("vision_target", s.vision_target),
                "weight": s.weight,
                "position": i,
            }
            for i, s in enumerate(o.vision_targets)
        ]

    def _influencers(self, column: str, key: int, items: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                column: key,
                "person_id": self.id("person", x.person),
                "unit_id": self.id("unit", x.unit),
                "kind": x.kind,
                "position": i,
            }
            for i, x in enumerate(items)
        ]

    def _access(self, column: str, key: int, restriction: Any) -> list[dict[str, Any]]:
        """The access rows of a restricted item: its people, then its units, in file order."""
        if restriction is None:
            return []
        people = [
            {column: key, "person_id": self.id("person", p), "unit_id": None}
            for p in restriction.people
        ]
        units = [
            {column: key, "person_id": None, "unit_id": self.id("unit", u)}
            for u in restriction.units
        ]
        return people + units

    def _kpi_access(self, key: int, k: Any) -> list[dict[str, Any]]:
        return self._access("kpi_id", key, k.restricted_to)

    def _initiative_access(self, key: int, i: Any) -> list[dict[str, Any]]:
        return self._access("initiative_id", key, i.restricted_to)

    def _kpi_influencers(self, key: int, k: Any) -> list[dict[str, Any]]:
        return self._influencers("kpi_id", key, k.influencers)

    def _initiative_influencers(self, key: int, i: Any) -> list[dict[str, Any]]:
        return self._influencers("initiative_id", key, i.influencers)

    def _kpi_objectives(self, key: int, k: Any) -> list[dict[str, Any]]:
        return [
            {
                "kpi_id": key,
                "objective_id": self.id("objective", s.objective),
                "weight": s.weight,
                "position": i,
            }
            for i, s in enumerate(k.objectives)
        ]

    def _kpi_overrides(self, key: int, k: Any) -> list[dict[str, Any]]:
        overrides = k.target.overrides if k.target else []
        return [{"kpi_id": key, **o.model_dump()} for o in overrides]

    def _contributors(self, key: int, i: Any) -> list[dict[str, Any]]:
        return [
            {"initiative_id": key, "person_id": self.id("person", p), "position": n}
            for n, p in enumerate(i.contributors)
        ]

    def _contributions(self, key: int, i: Any) -> list[dict[str, Any]]:
        return [
            {
                "initiative_id": key,
                "objective_id": self.id("objective", c.objective),
                "vision_target_id": self.id("vision_target", c.vision_target),
                "weight": c.weight,
                "expected": c.expected,
                "position": n,
            }
            for n, c in enumerate(i.contributes)
        ]

    def _milestones(self, changes: list[Change]) -> None:
        """Upsert milestones by their id within the initiative, so their keys stay stable."""
        if not changes:
            return
        initiative_ids = [self.keys.ids["initiative"][c.key] for c in changes]
        existing: dict[tuple[int, str], int] = {}
        for chunk in _chunks(initiative_ids):
            for key, initiative_id, slug in self.session.execute(
                select(m.Milestone.id, m.Milestone.initiative_id, m.Milestone.slug).where(
                    m.Milestone.initiative_id.in_(chunk)
                )
            ):
                existing[(initiative_id, slug)] = key
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        wanted: set[tuple[int, str]] = set()
        for change in changes:
            initiative_id = self.keys.ids["initiative"][change.key]
            for position, ms in enumerate(self.model(change).milestones):
                row = {
                    "name": ms.name,
                    "due": ms.due,
                    "percent_complete": ms.percent_complete,
                    "weight": ms.weight,
                    "position": position,
                }
                wanted.add((initiative_id, ms.id))
                if (initiative_id, ms.id) in existing:
                    updates.append({"id": existing[(initiative_id, ms.id)], **row})
                else:
                    inserts.append({"initiative_id": initiative_id, "slug": ms.id, **row})
        gone = [key for pair, key in existing.items() if pair not in wanted]
        for chunk in _chunks(gone):
            self.session.execute(delete(m.Milestone).where(m.Milestone.id.in_(chunk)))
        if updates:
            _update(self.session, m.Milestone, updates)
        _insert(self.session, m.Milestone, inserts)

    # --- scorecards ----------------------------------------------------------------------------

    def scorecards(self, changes: list[Change]) -> None:
        """Replace the items of every changed individual scorecard."""
        replaced = [self.keys.ids["person"][c.key] for c in changes if c.action is not Action.add]
        for chunk in _chunks(replaced):
            self.session.execute(
                delete(m.ScorecardItem).where(m.ScorecardItem.person_id.in_(chunk))
            )
        rows: list[dict[str, Any]] = []
        for change in changes:
            if change.action is Action.remove:
                continue
            person_id = self.keys.ids["person"][change.key]
            for position, item in enumerate(self.model(change).items):
                is_kpi = item.kind == "kpi"
                rows.append(
                    {
                        "person_id": person_id,
                        "kpi_id": self.id("kpi", item.item) if is_kpi else None,
                        "initiative_id": None if is_kpi else self.id("initiative", item.item),
                        "unit_id": self.id("unit", item.unit),
                        "role": item.role,
                        "weight": item.weight,
                        "position": position,
                    }
                )
        _insert(self.session, m.ScorecardItem, rows)

    def business_scorecards(self, changes: list[Change]) -> None:
        """Replace the KPIs of every changed business scorecard."""
        replaced = [self.keys.ids["unit"][c.key] for c in changes if c.action is not Action.add]
        for chunk in _chunks(replaced):
            self.session.execute(
                delete(m.BusinessScorecardItem).where(m.BusinessScorecardItem.unit_id.in_(chunk))
            )
        rows = [
            {
                "unit_id": self.keys.ids["unit"][c.key],
                "kpi_id": self.id("kpi", item.kpi),
                "weight": item.weight,
                "position": position,
            }
            for c in changes
            if c.action is not Action.remove
            for position, item in enumerate(self.model(c).items)
        ]
        _insert(self.session, m.BusinessScorecardItem, rows)


def _audit(session: Session, plan: Plan, *, actor: str, message: str, source: str) -> int:
    change_set_id = session.execute(
        insert(m.ChangeSet)
        .values(at=utcnow(), actor=actor, message=message, source=source)
        .returning(m.ChangeSet.id)
    ).scalar_one()
    rows = [
        {
            "change_set_id": change_set_id,
            "entity_kind": change.kind,
            "entity_id": change.key,
            "action": change.action.value,
            "before": change.before,
            "after": change.after,
        }
        for change in plan.all()
    ]
    _insert(session, m.AuditEntry, rows)
    return change_set_id
