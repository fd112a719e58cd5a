"""Reading the database back into canonical records (the other side of plan and export)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.files.canonical import KINDS, Record, Snapshot, normalise
from aligna.files.channel_rows import destination_records, escalation_records, retired_keys

# Kinds that are entities with a slug, and their table.
ENTITY_TABLES: dict[str, Any] = {
    "value": m.Value,
    "unit": m.Unit,
    "person": m.Person,
    "connection": m.Connection,
    "process": m.Process,
    "objective": m.Objective,
    "kpi": m.Kpi,
    "vision_target": m.VisionTarget,
    "initiative": m.Initiative,
}


@dataclass
class Keys:
    """Integer keys of every entity by kind and slug, archived ones included."""

    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    slugs: dict[str, dict[int, str]] = field(default_factory=dict)
    archived: dict[str, set[str]] = field(default_factory=dict)

    def slug(self, kind: str, key: int | None) -> str | None:
        """The slug of an integer key, or None."""
        return None if key is None else self.slugs[kind][key]


def read_keys(session: Session) -> Keys:
    """Load the slug <-> integer key maps of every entity kind."""
    keys = Keys()
    for kind, table in ENTITY_TABLES.items():
        rows = session.execute(select(table.id, table.slug, table.archived_at)).all()
        keys.ids[kind] = {slug: key for key, slug, _ in rows}
        keys.slugs[kind] = {key: slug for key, slug, _ in rows}
        keys.archived[kind] = {slug for _, slug, archived in rows if archived is not None}
    # Retired Apprise destinations are restored, like archived entities, when declared again.
    keys.archived["apprise_destination"] = retired_keys(session, keys)
    return keys


def _rows(session: Session, table: Any, order: tuple[str, ...] = ()) -> list[Any]:
    t: Table = table.__table__
    statement = select(t)
    if order:
        statement = statement.order_by(*(t.c[name] for name in order))
    return list(session.execute(statement).mappings())


def _live(rows: list[Any]) -> list[Any]:
    return [row for row in rows if row["archived_at"] is None]


def _grouped(rows: list[Any], key: str) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def database_snapshot(session: Session, keys: Keys | None = None) -> Snapshot:
    """The canonical records of everything live in the database, by kind and id."""
    keys = keys or read_keys(session)
    s = keys.slug
    snapshot: Snapshot = {kind: {} for kind in KINDS}

    def put(kind: str, key: str, record: Record) -> None:
        snapshot[kind][key] = normalise(kind, record)

    for row in _rows(session, m.Foundation):
        put(
            "foundation",
            "foundation",
            {"mission": row["mission"], "vision": row["vision"], "horizon": row["horizon"]},
        )
    for row in _live(_rows(session, m.Value)):
        put(
            "value",
            row["slug"],
            {"id": row["slug"], "name": row["name"], "description": row["description"]},
        )
    for row in _live(_rows(session, m.Unit)):
        put(
            "unit",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "kind": row["kind"],
                "parent": s("unit", row["parent_id"]),
            },
        )
    teams = _grouped(_rows(session, m.TeamMembership, ("person_id", "position")), "person_id")
    for row in _live(_rows(session, m.Person)):
        put(
            "person",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "email": row["email"],
                "position": row["position"],
                "unit": s("unit", row["unit_id"]),
                "manager": s("person", row["manager_id"]),
                "teams": [s("unit", t["unit_id"]) for t in teams.get(row["id"], [])],
            },
        )
    for row in _live(_rows(session, m.Connection)):
        put(
            "connection",
            row["slug"],
            {
                "id": row["slug"],
                "description": row["description"],
                "url": row["url"],
                "timeout_seconds": row["timeout_seconds"],
                "refresh": row["refresh_schedule"],
                "options": row["options"] or {},
            },
        )
    for row in _live(_rows(session, m.Process)):
        put(
            "process",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "description": row["description"],
                "owner": s("person", row["owner_id"]),
                "unit": s("unit", row["unit_id"]),
            },
        )
    serves = _grouped(
        _rows(session, m.ObjectiveVisionTarget, ("objective_id", "position")), "objective_id"
    )
    for row in _live(_rows(session, m.Objective)):
        put(
            "objective",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "description": row["description"],
                "parent": s("objective", row["parent_id"]),
                "owner": s("person", row["owner_id"]),
                "unit": s("unit", row["unit_id"]),
                "weight": row["weight"],
                "vision_targets": [
                    {
                        "vision_target": s("vision_target", v["vision_target_id"]),
                        "weight": v["weight"],
                    }
                    for v in serves.get(row["id"], [])
                ],
            },
        )
    _kpis(session, keys, put)
    for row in _live(_rows(session, m.VisionTarget)):
        put(
            "vision_target",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "kpi": s("kpi", row["kpi_id"]),
                "value": row["value"],
                "year": row["year"],
                "projection": row["projection"],
            },
        )
    _initiatives(session, keys, put)
    items = _grouped(_rows(session, m.ScorecardItem, ("person_id", "position")), "person_id")
    live_people = {
        k for k, slug in keys.slugs["person"].items() if slug not in keys.archived["person"]
    }
    for person_id, rows in items.items():
        if person_id not in live_people:
            continue
        person = s("person", person_id)
        put(
            "scorecard",
            person,
            {
                "person": person,
                "items": [
                    {
                        "kind": "kpi" if r["kpi_id"] is not None else "initiative",
                        "item": s("kpi", r["kpi_id"])
                        if r["kpi_id"] is not None
                        else s("initiative", r["initiative_id"]),
                        "unit": s("unit", r["unit_id"]),
                        "role": r["role"],
                        "weight": r["weight"],
                    }
                    for r in rows
                ],
            },
        )
    business = _grouped(_rows(session, m.BusinessScorecardItem, ("unit_id", "position")), "unit_id")
    for unit_id, rows in business.items():
        unit = s("unit", unit_id)
        put(
            "business_scorecard",
            unit,
            {
                "unit": unit,
                "items": [{"kpi": s("kpi", r["kpi_id"]), "weight": r["weight"]} for r in rows],
            },
        )
    for kind, records in (
        ("escalation_rule", escalation_records(session)),
        ("apprise_destination", destination_records(session, keys)),
    ):
        for key, record in records.items():
            put(kind, key, record)
    return snapshot


def _influencers(keys: Keys, rows: list[Any]) -> list[Record]:
    """Influencer rows (of a KPI or an initiative) as records."""
    return [
        {
            "person": keys.slug("person", i["person_id"]),
            "unit": keys.slug("unit", i["unit_id"]),
            "kind": i["kind"],
        }
        for i in rows
    ]


def _restriction(keys: Keys, rows: list[Any]) -> Record | None:
    """Access rows (of a KPI or an initiative) as its restricted_to record, or None."""
    if not rows:
        return None
    return {
        "people": [keys.slug("person", r["person_id"]) for r in rows if r["person_id"]],
        "units": [keys.slug("unit", r["unit_id"]) for r in rows if r["unit_id"]],
    }


def _threshold(offset: str | None, value: float | None) -> Record | None:
    if offset is not None:
        return {"offset": offset}
    if value is not None:
        return {"value": value}
    return None


def _kpis(session: Session, keys: Keys, put: Any) -> None:
    s = keys.slug
    influencers = _grouped(_rows(session, m.KpiInfluencer, ("kpi_id", "position")), "kpi_id")
    access = _grouped(_rows(session, m.KpiAccess, ("kpi_id", "id")), "kpi_id")
    objectives = _grouped(_rows(session, m.KpiObjective, ("kpi_id", "position")), "kpi_id")
    overrides = _grouped(_rows(session, m.KpiTargetOverride, ("kpi_id", "period")), "kpi_id")
    for row in _live(_rows(session, m.Kpi)):
        target: Record = {
            "baseline": {"period": row["baseline_period"], "value": row["baseline_value"]}
            if row["baseline_period"] is not None
            else None,
            "value": row["target_value"],
            "by": row["target_by"],
            "shape": row["target_shape"] or "linear",
            "red_flag": _threshold(row["red_flag_offset"], row["red_flag_value"]),
            "stretch": _threshold(row["stretch_offset"], row["stretch_value"]),
            "band": {"lo": row["band_lo"], "hi": row["band_hi"]}
            if row["band_lo"] is not None
            else None,
            "red_band": {"lo": row["red_band_lo"], "hi": row["red_band_hi"]}
            if row["red_band_lo"] is not None
            else None,
            "overrides": [
                {
                    k: o[k]
                    for k in (
                        "period",
                        "target",
                        "red_flag",
                        "stretch",
                        "lo",
                        "hi",
                        "red_lo",
                        "red_hi",
                    )
                }
                for o in overrides.get(row["id"], [])
            ],
        }
        has_target = row["target_shape"] is not None or any(
            v not in (None, []) for k, v in target.items() if k != "shape"
        )
        put(
            "kpi",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "definition": row["definition"],
                "unit_of_measure": row["unit_of_measure"],
                "polarity": row["polarity"],
                "frequency": row["frequency"],
                "aggregation": row["aggregation"],
                "owner": s("person", row["owner_id"]),
                "unit": s("unit", row["unit_id"]),
                "process": s("process", row["process_id"]),
                "staleness_days": row["staleness_days"],
                "public": row["public"],
                "restricted_to": _restriction(keys, access.get(row["id"], [])),
                "source": "manual"
                if row["source_manual"]
                else {"connection": s("connection", row["connection_id"]), "query": row["query"]},
                "refresh": row["refresh_schedule"],
                "breakdown": {
                    "unit_kind": row["breakdown_unit_kind"],
                    "total": row["breakdown_total"],
                }
                if row["breakdown_unit_kind"]
                else None,
                "target": target if has_target else None,
                "influencers": _influencers(keys, influencers.get(row["id"], [])),
                "objectives": [
                    {"objective": s("objective", o["objective_id"]), "weight": o["weight"]}
                    for o in objectives.get(row["id"], [])
                ],
            },
        )


def _initiatives(session: Session, keys: Keys, put: Any) -> None:
    s = keys.slug
    contributors = _grouped(
        _rows(session, m.InitiativeContributor, ("initiative_id", "position")), "initiative_id"
    )
    influencers = _grouped(
        _rows(session, m.InitiativeInfluencer, ("initiative_id", "position")), "initiative_id"
    )
    access = _grouped(_rows(session, m.InitiativeAccess, ("initiative_id", "id")), "initiative_id")
    contributions = _grouped(
        _rows(session, m.InitiativeContribution, ("initiative_id", "position")), "initiative_id"
    )
    milestones = _grouped(
        _rows(session, m.Milestone, ("initiative_id", "position")), "initiative_id"
    )
    for row in _live(_rows(session, m.Initiative)):
        key = row["id"]
        put(
            "initiative",
            row["slug"],
            {
                "id": row["slug"],
                "name": row["name"],
                "description": row["description"],
                "owner": s("person", row["owner_id"]),
                "unit": s("unit", row["unit_id"]),
                "start": row["start_date"],
                "end": row["end_date"],
                "budget": row["budget"],
                "budget_unit": row["budget_unit"],
                "mission_gap": row["mission_gap"],
                "restricted_to": _restriction(keys, access.get(key, [])),
                "contributors": [s("person", c["person_id"]) for c in contributors.get(key, [])],
                "influencers": _influencers(keys, influencers.get(key, [])),
                "contributes": [
                    {
                        "objective": s("objective", c["objective_id"]),
                        "vision_target": s("vision_target", c["vision_target_id"]),
                        "weight": c["weight"],
                        "expected": c["expected"],
                    }
                    for c in contributions.get(key, [])
                ],
                "milestones": [
                    {
                        "id": ms["slug"],
                        "name": ms["name"],
                        "due": ms["due"],
                        "percent_complete": ms["percent_complete"],
                        "weight": ms["weight"],
                    }
                    for ms in milestones.get(key, [])
                ],
            },
        )
