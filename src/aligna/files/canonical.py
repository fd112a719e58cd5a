"""Canonical records: one plain, normalised dict per entity, the common ground of files and DB.

Plan compares the records of the files with those of the database; apply writes the records;
export writes them back as files. Both sides go through the same models and `tidy`, so an
unchanged entity gives an equal record whichever side it came from.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel

from aligna.files.channels import AppriseModel, EscalationRuleRecord, record_key
from aligna.files.load import Project
from aligna.files.schema import (
    BusinessScorecardRow,
    ConnectionModel,
    InitiativeModel,
    KpiModel,
    Model,
    ObjectiveModel,
    PersonRow,
    ProcessModel,
    ScorecardRow,
    Text,
    UnitRow,
    ValueModel,
    VisionTargetModel,
)

Record = dict[str, Any]
Snapshot = dict[str, dict[str, Record]]


class FoundationRecord(Model):
    """The mission, the vision statement and its horizon."""

    mission: Text = ""
    vision: Text = ""
    horizon: int | None = None


class ScorecardItemRecord(ScorecardRow):
    """A scorecard item inside a person's scorecard record (the person is the record's key)."""

    person: str | None = None  # type: ignore[assignment]


class ScorecardRecord(Model):
    """A person's whole scorecard, in order."""

    person: str
    items: list[ScorecardItemRecord]


class BusinessItemRecord(BusinessScorecardRow):
    """A KPI on a unit's business scorecard."""

    unit: str | None = None  # type: ignore[assignment]


class BusinessScorecardRecord(Model):
    """A unit's whole business scorecard, in order."""

    unit: str
    items: list[BusinessItemRecord]


# Kinds in the order apply writes them: what is referred to comes before what refers to it.
KIND_MODELS: dict[str, type[BaseModel]] = {
    "foundation": FoundationRecord,
    "value": ValueModel,
    "unit": UnitRow,
    "person": PersonRow,
    "connection": ConnectionModel,
    "process": ProcessModel,
    "objective": ObjectiveModel,
    "kpi": KpiModel,
    "vision_target": VisionTargetModel,
    "initiative": InitiativeModel,
    "scorecard": ScorecardRecord,
    "business_scorecard": BusinessScorecardRecord,
    # channels.yaml: rules by exception kind, destinations by whose and URL (channels.py).
    "escalation_rule": EscalationRuleRecord,
    "apprise_destination": AppriseModel,
}
KINDS = tuple(KIND_MODELS)

# Models without nested models: their records are built by flat_record, not by pydantic.
_FLAT_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    model: {name: f.default for name, f in model.model_fields.items() if not f.is_required()}
    for model in (
        ValueModel,
        UnitRow,
        PersonRow,
        ScorecardRow,
        BusinessScorecardRow,
        ScorecardItemRecord,
        BusinessItemRecord,
    )
}


def tidy(value: Any) -> Any:
    """Normalise numbers so 1 and 1.0 compare and print alike; recurse into containers."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if kind is dict:
        return {k: v if type(v) in _PLAIN else tidy(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else tidy(v) for v in value]
    return value


# Values tidy leaves as they are; checked by type so the common case costs no call.
_PLAIN = frozenset({str, int, bool, type(None)})


def dump(model: BaseModel) -> Record:
    """The canonical record of a validated model: JSON types, defaults left out, tidy numbers."""
    defaults = _FLAT_DEFAULTS.get(type(model))
    if defaults is not None:
        return flat_record(model.__dict__, defaults)
    record = model.model_dump(mode="json", exclude_defaults=True)
    return tidy(record)


def flat_record(values: dict[str, Any], defaults: dict[str, Any]) -> Record:
    """The canonical record of a flat entity (no nested models), built without pydantic.

    It gives exactly what `model_dump(mode="json", exclude_defaults=True)` and `tidy` give for
    these models, several times faster: the organisation and scorecards have 100,000s of rows.
    """
    record: Record = {}
    for key, value in values.items():
        if key in defaults and value == defaults[key]:
            continue
        kind = type(value)
        if kind is float:
            value = tidy(value)
        elif isinstance(value, Enum):
            value = value.value
        record[key] = value
    return record


def normalise(kind: str, record: Record) -> Record:
    """Pass a record through its kind's model, as the files side does."""
    if kind in ("scorecard", "business_scorecard"):
        key = "person" if kind == "scorecard" else "unit"
        item_defaults = _FLAT_DEFAULTS[
            ScorecardItemRecord if key == "person" else BusinessItemRecord
        ]
        return {
            key: record[key],
            "items": [flat_record(item, item_defaults) for item in record["items"]],
        }
    model = KIND_MODELS[kind]
    defaults = _FLAT_DEFAULTS.get(model)
    if defaults is not None:
        return flat_record(record, defaults)
    return dump(model.model_validate(record))


def project_snapshot(project: Project) -> Snapshot:
    """The canonical records a valid project declares, by kind and id."""
    snapshot: Snapshot = {kind: {} for kind in KINDS}
    foundation = project.foundation
    if project.foundation_where is not None:
        snapshot["foundation"]["foundation"] = dump(
            FoundationRecord(
                mission=foundation.mission,
                vision=foundation.vision.statement,
                horizon=foundation.vision.horizon,
            )
        )
    units_of = {e.model.id: e.model.unit for e in project.people}
    for kind, entries in (
        ("value", project.values),
        ("unit", project.units),
        ("person", project.people),
        ("connection", project.connections),
        ("process", project.processes),
        ("objective", project.objectives),
        ("kpi", project.kpis),
        ("vision_target", project.vision_targets),
        ("initiative", project.initiatives),
    ):
        table = snapshot[kind]
        for entry in entries:
            record = dump(entry.model)
            if kind == "kpi" and "unit" not in record:
                # A KPI belongs to its owner's unit unless told otherwise; kept explicit so the
                # database and the files agree.
                record = {**record, "unit": units_of.get(record["owner"])}
                record = {k: record[k] for k in _kpi_order(record)}
            table.setdefault(record["id"], record)
    for kind, key, entries in (
        ("scorecard", "person", project.scorecards),
        ("business_scorecard", "unit", project.business_scorecards),
    ):
        # A scorecard is one record per person (or unit), its rows kept in file order.
        cards: dict[str, list[Record]] = {}
        for entry in entries:
            item = dump(entry.model)
            cards.setdefault(item.pop(key), []).append(item)
        for owner, items in cards.items():
            snapshot[kind][owner] = {key: owner, "items": items}
    for kind, entries in (
        ("escalation_rule", project.escalation),
        ("apprise_destination", project.destinations),
    ):
        for entry in entries:
            record = dump(entry.model)
            snapshot[kind].setdefault(record_key(kind, record), record)
    return snapshot


def _kpi_order(record: Record) -> list[str]:
    fields = list(KpiModel.model_fields)
    return sorted(record, key=fields.index)
