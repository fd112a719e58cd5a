"""The records the API shares between resources: evaluation records, people, links, sight."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Literal

from pydantic import BaseModel, Field

from aligna.evaluate.read import kpi_record
from aligna.web.views.scorecard import PersonRef as PersonView
from aligna.web.views.sight import Step

Status = Literal["on_track", "at_risk", "off_track", "no_data", "stale"]
Trend = Literal["improving", "worsening", "flat"]


class Ref(BaseModel):
    """Another item named by its id and name."""

    id: str
    name: str


class PersonRef(BaseModel):
    """A person named on an item; `visible` says whether /people/{id} answers for you."""

    id: str
    name: str
    position: str = ""
    visible: bool


class Signal(BaseModel):
    """A statistical signal (XmR rule 1, 2 or 3) dated at a period."""

    rule: int
    side: Literal["above", "below"]
    favourable: bool


class Forecast(BaseModel):
    """Whether the trajectory's final target will be met, by a least-squares line."""

    end_period: str
    final_target: float
    projected: float
    meets: bool
    reach_period: str | None


class EvaluationRecord(BaseModel):
    """A KPI evaluation record, as documented in docs/evaluation.md ("JSON")."""

    kpi: str
    unit: str | None = Field(description="The unit of a slice; null for the whole organisation.")
    period: str
    actual: float | None
    target: float | None
    red_flag: float | None
    stretch: float | None
    lo: float | None = Field(description="Within-range KPIs: the band's low edge.")
    hi: float | None = Field(description="Within-range KPIs: the band's high edge.")
    status: Status | None
    score: float | None
    trend: Trend | None
    signals: list[Signal]
    forecast: Forecast | None
    stale_reason: str | None


class HistoryRecord(EvaluationRecord):
    """An evaluation record in a KPI's history, with its XmR limits."""

    partial: bool = Field(description="The current, open period: its value so far.")
    centre: float | None
    lower_limit: float | None
    upper_limit: float | None


class SightStep(BaseModel):
    """One link of a line of sight: an objective or a vision target."""

    kind: Literal["objective", "vision_target"]
    id: str
    name: str


def person_ref(person: PersonView) -> PersonRef:
    """A view's person as the API names them."""
    return PersonRef(
        id=person.id, name=person.name, position=person.position, visible=person.visible
    )


def sight(paths: list[list[Step]]) -> list[list[SightStep]]:
    """Lines of sight as the API shows them: each a path from the item up to the vision."""
    return [
        [SightStep.model_validate(step, from_attributes=True) for step in path] for path in paths
    ]


def history_record(
    row: Any, kpi: str, unit: str | None, forecast: dict[str, Any] | None
) -> HistoryRecord:
    """A stored evaluation row as the documented record, with its limits (kpi_record's shape)."""
    return HistoryRecord(
        **kpi_record(row, kpi, unit, forecast),
        partial=row.partial,
        centre=row.centre,
        lower_limit=row.lower_limit,
        upper_limit=row.upper_limit,
    )


def point_record(
    point: dict[str, Any], kpi: str, unit: str | None, forecast: dict[str, Any] | None
) -> EvaluationRecord:
    """A KPI page's history point (signals already read) as the documented record."""
    # kpi_record reads a stored row, whose signals are still JSON text.
    row = SimpleNamespace(**{**point, "signals": json.dumps(point["signals"])})
    return EvaluationRecord(**kpi_record(row, kpi, unit, forecast))
