"""The shape of every project file, as pydantic models; canonical records are their dumps."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from aligna.enums import (
    Aggregation,
    BreakdownTotal,
    Frequency,
    InfluencerKind,
    MissionGapTopic,
    Polarity,
    Projection,
    Role,
    ScorecardItemKind,
    TrajectoryShape,
)
from aligna.measure.schedule import CronError, check_cron

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
OFFSET = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%?$")
UNIT_KIND = re.compile(r"^[a-z][a-z_]{0,31}$")


def _slug(value: Any) -> str:
    # The same few thousand ids recur across 100,000s of rows: remember the good ones.
    if value in _GOOD_SLUGS:
        return value  # type: ignore[no-any-return]
    if not isinstance(value, str) or not SLUG.match(value):
        shown = repr(value) if not isinstance(value, str) else f"'{value}'"
        raise PydanticCustomError(
            "id",
            "{shown} is not a valid id, expected lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit, at most 64 characters",
            {"shown": shown},
        )
    if len(_GOOD_SLUGS) < 1_000_000:
        _GOOD_SLUGS.add(value)
    return value


_GOOD_SLUGS: set[str] = set()


def _optional_slug(value: Any) -> str | None:
    # CSV cells are empty strings when absent.
    if value is None or value == "":
        return None
    return _slug(value)


def _period_text(value: Any) -> str:
    # YAML reads 2026 as a number and 2026-03-15 as a date; periods are text.
    if isinstance(value, bool):
        raise PydanticCustomError("period", "expected a period like 2026-03")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise PydanticCustomError("period", "expected a period like 2026-03")


def _offset_text(value: Any) -> str:
    # Offsets are written "-5", "+2" or "-10%"; a bare number is accepted as an offset too.
    if isinstance(value, bool):
        raise PydanticCustomError("offset", "expected an offset like -5, +2 or -10%")
    if isinstance(value, int | float):
        number = _number_text(float(value))
        return number if number.startswith("-") else "+" + number
    if isinstance(value, str) and OFFSET.match(value.strip()):
        text = value.strip()
        return text if text[0] in "+-" else "+" + text
    raise PydanticCustomError(
        "offset",
        "'{value}' is not an offset, expected an offset like -5, +2 or -10%",
        {"value": value},
    )


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _csv_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _unit_kind(value: str) -> str:
    if not UNIT_KIND.match(value):
        raise PydanticCustomError(
            "unit_kind",
            "'{value}' is not a unit kind, expected lower-case letters and '_' "
            "(company, division, region, department, team)",
            {"value": value},
        )
    return value


def _one_of(data: Any, first: str, second: str, example: str) -> None:
    """Exactly one of two fields must be given; say which mistake it is."""
    given = [name for name in (first, second) if getattr(data, name) is not None]
    if len(given) == 1:
        return
    wrong = f"has both {first} and {second}" if given else f"has neither {first} nor {second}"
    raise PydanticCustomError(
        "one_of",
        "{wrong}, expected exactly one, e.g. {example}",
        {"wrong": wrong, "example": example},
    )


def _cron(value: str) -> str:
    try:
        return check_cron(value)
    except CronError as exc:
        raise PydanticCustomError("cron", "{message}", {"message": str(exc)}) from None


def _empty_is_default(value: Any) -> Any:
    return None if value == "" else value


Slug = Annotated[str, BeforeValidator(_slug)]
OptionalSlug = Annotated[str | None, BeforeValidator(_optional_slug)]
UnitKind = Annotated[str, AfterValidator(_unit_kind)]
PeriodText = Annotated[str, BeforeValidator(_period_text)]
Weight = Annotated[float, Field(ge=0)]
Text = Annotated[str, Field(max_length=20000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
# A refresh schedule: a 5-field cron expression in the organisation's time zone.
Cron = Annotated[str, Field(max_length=100), AfterValidator(_cron)]
# A KPI is measured daily to quarterly; yearly periods serve only vision targets and reports.
KpiFrequency = Literal["day", "week", "month", "quarter"]


class Model(BaseModel):
    """Project file models: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_default=False)


# --- foundation.yaml -------------------------------------------------------------------------


class ValueModel(Model):
    """A value: a principle behaviour must never violate."""

    id: Slug
    name: Name
    description: Text = ""


class VisionTargetModel(Model):
    """A measurable vision target tied to a KPI."""

    id: Slug
    name: Name
    kpi: Slug
    value: float
    year: Annotated[int, Field(ge=1900, le=2300)] | None = None
    projection: Projection = Projection.compound


class VisionModel(Model):
    """The vision: statement, horizon year and targets."""

    statement: Text = ""
    horizon: Annotated[int, Field(ge=1900, le=2300)] | None = None
    targets: list[VisionTargetModel] = []


class FoundationFile(Model):
    """foundation.yaml."""

    mission: Text = ""
    vision: VisionModel = VisionModel()
    values: list[ValueModel] = []


# --- connections.yaml ------------------------------------------------------------------------


class ConnectionModel(Model):
    """A warehouse connection."""

    id: Slug
    description: Text = ""
    url: Annotated[str, Field(min_length=1)]
    timeout_seconds: Annotated[float, Field(gt=0, le=86400)] = 30.0
    refresh: Cron | None = None  # when its KPIs are refreshed, unless a KPI says otherwise
    options: dict[str, Any] = {}


# --- processes.yaml, objectives.yaml ---------------------------------------------------------


class ProcessModel(Model):
    """An existing end-to-end process."""

    id: Slug
    name: Name
    description: Text = ""
    owner: Slug | None = None
    unit: Slug | None = None


class ServesVisionTarget(Model):
    """A vision target an objective serves."""

    vision_target: Slug
    weight: Weight = 1.0


class ObjectiveModel(Model):
    """A strategic objective."""

    id: Slug
    name: Name
    description: Text = ""
    parent: Slug | None = None
    owner: Slug | None = None
    unit: Slug | None = None
    weight: Weight = 1.0
    vision_targets: list[ServesVisionTarget] = []


# --- kpis.yaml -------------------------------------------------------------------------------


class SourceModel(Model):
    """Where a KPI's values come from: a query on a connection, or manual entry."""

    manual: bool = False
    connection: Slug | None = None
    query: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _manual_word(cls, data: Any) -> Any:
        if data == "manual":
            return {"manual": True}
        if isinstance(data, str):
            raise PydanticCustomError(
                "source",
                "'{value}' is not a source, expected 'manual' or a mapping with connection "
                "and query",
                {"value": data},
            )
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> SourceModel:
        if self.manual and (self.connection or self.query):
            raise PydanticCustomError(
                "source", "a manual source has no connection or query, expected one or the other"
            )
        has_query = bool(self.query and self.query.strip())
        if not self.manual and not (self.connection and has_query):
            if self.connection:
                message = "has a connection but no query, expected query: the SQL to run"
            elif has_query:
                message = (
                    "has a query but no connection, expected connection: the id of a connection "
                    "in connections.yaml"
                )
            else:
                message = "has no connection and no query, expected 'manual' or both"
            raise PydanticCustomError("source", message)
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        if self.manual:
            return "manual"
        data = handler(self)
        data.pop("manual", None)
        return data


class BreakdownModel(Model):
    """One KPI definition giving a value per unit of a kind."""

    unit_kind: UnitKind
    total: BreakdownTotal


class ThresholdModel(Model):
    """A red flag or stretch: an offset from the target or an absolute value."""

    offset: Annotated[str, BeforeValidator(_offset_text)] | None = None
    value: float | None = None

    @model_validator(mode="after")
    def _one(self) -> ThresholdModel:
        _one_of(self, "offset", "value", "{offset: -10%} or {value: 80}")
        return self


class BaselineModel(Model):
    """Where a trajectory starts."""

    period: PeriodText
    value: float


class BandModel(Model):
    """A range [lo, hi]."""

    lo: float
    hi: float


class OverrideModel(Model):
    """Absolute targets and thresholds for one period."""

    period: PeriodText
    target: float | None = None
    red_flag: float | None = None
    stretch: float | None = None
    lo: float | None = None
    hi: float | None = None
    red_lo: float | None = None
    red_hi: float | None = None


class TargetModel(Model):
    """A trajectory with thresholds, or a band for within-range KPIs."""

    baseline: BaselineModel | None = None
    value: float | None = None
    by: PeriodText | None = None
    shape: TrajectoryShape = TrajectoryShape.linear
    red_flag: ThresholdModel | None = None
    stretch: ThresholdModel | None = None
    band: BandModel | None = None
    red_band: BandModel | None = None
    overrides: list[OverrideModel] = []


class InfluencerModel(Model):
    """A person or unit who affects an item, and how."""

    person: Slug | None = None
    unit: Slug | None = None
    kind: InfluencerKind

    @model_validator(mode="after")
    def _one(self) -> InfluencerModel:
        _one_of(self, "person", "unit", "{person: p-0007, kind: lateral}")
        return self


class RestrictionModel(Model):
    """Who alone may see a restricted KPI or initiative: named people and units (with the
    units below them), besides its owner, admins and the strategy office."""

    people: list[Slug] = []
    units: list[Slug] = []

    @model_validator(mode="after")
    def _someone(self) -> RestrictionModel:
        if not self.people and not self.units:
            raise PydanticCustomError(
                "restriction",
                "names nobody, expected people or units, e.g. {example}",
                {"example": "{people: [p-0007], units: [finance]}"},
            )
        return self


class ServesObjective(Model):
    """An objective a KPI serves."""

    objective: Slug
    weight: Weight = 1.0


class KpiModel(Model):
    """A KPI."""

    id: Slug
    name: Name
    definition: Text = ""
    unit_of_measure: Annotated[str, Field(max_length=32)] = ""
    polarity: Polarity
    frequency: KpiFrequency
    aggregation: Aggregation
    owner: Slug
    unit: Slug | None = None
    process: Slug | None = None
    staleness_days: Annotated[int, Field(ge=1, le=3660)] | None = None
    public: bool = False
    restricted_to: RestrictionModel | None = None
    source: SourceModel
    refresh: Cron | None = None  # overrides its connection's schedule
    breakdown: BreakdownModel | None = None
    target: TargetModel | None = None
    influencers: list[InfluencerModel] = []
    objectives: list[ServesObjective] = []


# --- initiatives.yaml ------------------------------------------------------------------------


class ContributionModel(Model):
    """An objective or vision target an initiative serves."""

    objective: Slug | None = None
    vision_target: Slug | None = None
    weight: Weight = 1.0
    expected: float | None = None

    @model_validator(mode="after")
    def _one(self) -> ContributionModel:
        _one_of(self, "objective", "vision_target", "{objective: grow-revenue, weight: 1}")
        return self


class MilestoneModel(Model):
    """A milestone of an initiative."""

    id: Slug
    name: Name
    due: date
    percent_complete: Annotated[float, Field(ge=0, le=100)] = 0.0
    weight: Weight | None = None


class InitiativeModel(Model):
    """A strategic initiative."""

    id: Slug
    name: Name
    description: Text = ""
    owner: Slug
    unit: Slug | None = None
    start: date
    end: date
    budget: Annotated[float, Field(ge=0)] | None = None
    budget_unit: Annotated[str, Field(max_length=32)] = ""
    mission_gap: MissionGapTopic | None = None
    restricted_to: RestrictionModel | None = None
    contributors: list[Slug] = []
    influencers: list[InfluencerModel] = []
    contributes: list[ContributionModel] = []
    milestones: list[MilestoneModel] = []


# --- CSV rows --------------------------------------------------------------------------------


class UnitRow(Model):
    """A row of units.csv."""

    id: Slug
    name: Name
    kind: UnitKind
    parent: OptionalSlug = None


class PersonRow(Model):
    """A row of people.csv."""

    id: Slug
    name: Name
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
    position: Annotated[str, Field(max_length=200)] = ""
    unit: Slug
    manager: OptionalSlug = None
    teams: Annotated[list[Slug], BeforeValidator(_csv_list)] = []


class ScorecardRow(Model):
    """A row of scorecards.csv."""

    person: Slug
    kind: ScorecardItemKind
    item: Slug
    unit: OptionalSlug = None
    role: Role
    weight: Annotated[Weight, BeforeValidator(lambda v: 1.0 if v == "" else v)] = 1.0


class BusinessScorecardRow(Model):
    """A row of business_scorecards.csv."""

    unit: Slug
    kpi: Slug
    weight: Annotated[Weight, BeforeValidator(lambda v: 1.0 if v == "" else v)] = 1.0


CSV_COLUMNS: dict[type[Model], tuple[str, ...]] = {
    UnitRow: ("id", "name", "kind", "parent"),
    PersonRow: ("id", "name", "email", "position", "unit", "manager", "teams"),
    ScorecardRow: ("person", "kind", "item", "unit", "role", "weight"),
    BusinessScorecardRow: ("unit", "kpi", "weight"),
}

KPI_FREQUENCIES = (Frequency.day, Frequency.week, Frequency.month, Frequency.quarter)
