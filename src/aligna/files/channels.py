"""channels.yaml: the escalation policy and the Apprise destinations, their shape and checks.

```yaml
escalation:                       # optional; a kind without a rule uses "*", else the default
  "*": {days: 5, levels: 2}
  off_track: {days: 7, levels: 2}
apprise:                          # optional
  - unit: sales                   # or person: <person id>
    url: "slack://${SLACK_SALES_TOKEN}/#sales"
    description: Sales team channel
    events: [exception_opened, exception_escalated]   # optional; empty: the default kinds
```
The project files own these rows: what the file does not declare is removed on apply.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from aligna.channels.policy import DEFAULT_KIND, EXCEPTION_KINDS
from aligna.enums import EventKind
from aligna.files.schema import Model, Slug, _one_of
from aligna.files.secrets import APPRISE_EXAMPLE, apprise_url_problems

if TYPE_CHECKING:
    from aligna.files.index import Index

FILE = "channels.yaml"
SECTIONS = ("escalation", "apprise")
ESCALATION_KINDS = (DEFAULT_KIND, *EXCEPTION_KINDS)
URL_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
KEY_LENGTH = 200  # audit_entry.entity_id


def _apprise_url(value: str) -> str:
    if not URL_SHAPE.match(value):
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise PydanticCustomError(
            "apprise_url",
            "'{shown}' is not an Apprise URL, expected scheme://... without spaces, e.g. "
            "{example} or json://host/path",
            {"shown": shown, "example": APPRISE_EXAMPLE},
        )
    return value


Days = Annotated[int, Field(ge=1, le=365)]
Levels = Annotated[int, Field(ge=0, le=10)]


class EscalationModel(Model):
    """How one exception kind climbs the reporting line: days per level, how many levels."""

    days: Days
    levels: Levels


class EscalationRuleRecord(Model):
    """An escalation rule as a canonical record, with its exception kind (or `*`)."""

    kind: str
    days: Days
    levels: Levels


class AppriseModel(Model):
    """An Apprise URL that hears of a person's or a unit's events."""

    person: Slug | None = None
    unit: Slug | None = None
    url: Annotated[str, Field(min_length=1), AfterValidator(_apprise_url)]
    description: Annotated[str, Field(max_length=200)] = ""
    events: list[EventKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one(self) -> AppriseModel:
        _one_of(self, "person", "unit", "{unit: sales, url: 'slack://${SLACK_TOKEN}/#sales'}")
        return self


def destination_key(person: str | None, unit: str | None, url: str) -> str:
    """The natural key of a destination: whose it is and its URL (see channel_rows.py)."""
    key = f"person:{person} {url}" if person is not None else f"unit:{unit} {url}"
    if len(key) <= KEY_LENGTH:
        return key
    # Long URLs: cut, with a digest of the whole so that two keys never meet.
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{key[: KEY_LENGTH - 16]}...#{digest}"


def record_key(kind: str, record: dict[str, Any]) -> str:
    """The key of a channels.yaml record in snapshots and plans."""
    if kind == "escalation_rule":
        return str(record["kind"])
    return destination_key(record.get("person"), record.get("unit"), record["url"])


def check_channels(index: Index) -> None:
    """Destinations must name people and units that exist, keep secrets out, list each once."""
    seen: dict[str, Any] = {}
    for entry in index.project.destinations:
        model, where = entry.model, entry.where
        index.ref(where, ("person",), model.person, "person")
        index.ref(where, ("unit",), model.unit, "unit")
        for message in apprise_url_problems(model.url):
            index.report(where, ("url",), message)
        kinds: set[str] = set()
        for i, kind in enumerate(model.events):
            if kind in kinds:
                index.report(where, ("events", i), "listed twice, expected each event kind once")
            kinds.add(kind)
        key = destination_key(model.person, model.unit, model.url)
        first = seen.get(key)
        if first is not None:
            owner = f"person '{model.person}'" if model.person else f"unit '{model.unit}'"
            index.report(
                where,
                ("url",),
                f"this URL is already a destination of {owner} (at {first.file}:{first.line}), "
                "expected each URL once per person or unit",
            )
        else:
            seen[key] = where
