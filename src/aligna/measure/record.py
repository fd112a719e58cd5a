"""Manual values: `aligna record` and `aligna record --import`, validated, all or nothing, audited.

Only KPIs whose source is manual take recorded values: a query KPI's values belong to its
warehouse (a recorded value would be revised away by the next refresh). Values follow the
store's revision rules and every value written gets an audit entry in one change set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aligna.files.located import read_csv
from aligna.files.problems import Problems
from aligna.measure.contract import Reading, check_period, check_unit, parse_number
from aligna.measure.selection import UnitTree, kpi_shape
from aligna.measure.store import StoredChange, store_readings
from aligna.model import AuditEntry, ChangeSet, Connection, Kpi
from aligna.model.base import utcnow

IMPORT_COLUMNS = ("kpi", "period", "unit", "value", "note")
IMPORT_REQUIRED = ("kpi", "period", "value")


class RecordError(Exception):
    """Values that cannot be recorded; nothing was written. Each problem is one line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ManualValue:
    """One value as a person gives it (text), and where it was written when it came from a file."""

    kpi: str
    period: str
    value: str
    unit: str = ""
    note: str = ""
    file: str = ""
    line: int = 0
    columns: Mapping[str, int] = field(default_factory=dict)  # character column of each cell


@dataclass(frozen=True)
class RecordedValue:
    """A value written: its KPI and unit ids, the revision and the value it replaced."""

    kpi: str
    unit: str
    change: StoredChange


@dataclass
class RecordResult:
    """What a record or an import wrote: the change set, and values new, revised, unchanged."""

    change_set_id: int | None = None
    written: list[RecordedValue] = field(default_factory=list)
    unchanged: int = 0

    @property
    def new_values(self) -> int:
        """Values recorded for the first time."""
        return sum(not v.change.revised for v in self.written)

    @property
    def revised_values(self) -> int:
        """Values that replaced an earlier one (kept as a new revision)."""
        return sum(v.change.revised for v in self.written)


def read_import_file(path: Path, name: str | None = None) -> list[ManualValue]:
    """The values of a CSV file (kpi, period, unit, value, note); RecordError when unreadable."""
    name = name or str(path)
    if not path.is_file():
        raise RecordError([f"{name}: no such file, expected a CSV file of values"])
    problems = Problems()
    try:
        rows = read_csv(path, name, IMPORT_COLUMNS, IMPORT_REQUIRED, problems)
    except OSError as exc:
        raise RecordError([f"{name}: cannot be read: {exc.strerror or exc}"]) from None
    if rows is None or problems.errors:
        raise RecordError([str(p) for p in problems.errors])
    if not rows:
        raise RecordError([f"{name}:2:1: row: no values, expected one value per line"])
    return [
        ManualValue(
            kpi=row.values.get("kpi", ""),
            period=row.values.get("period", ""),
            value=row.values.get("value", ""),
            unit=row.values.get("unit", ""),
            note=row.values.get("note", ""),
            file=name,
            line=row.line,
            columns=row.columns,
        )
        for row in rows
    ]


def record_values(
    session: Session,
    values: Sequence[ManualValue],
    *,
    actor: str,
    message: str,
    source: str = "manual",
    origin: str = "",
    today: date,
    now: datetime | None = None,
) -> RecordResult:
    """Validate every value, then write them all in the caller's transaction, or none.

    `source` is what the observations say (manual | import); `message` and `origin` describe
    the change set. Raises RecordError naming every problem (file:line:column for a file).
    """
    kpis = _load_kpis(session, {v.kpi for v in values})
    units = UnitTree(session) if any(k.breakdown_unit_kind for k, _ in kpis.values()) else None
    problems: list[str] = []
    readings: dict[int, list[Reading]] = {}
    labels: dict[tuple[int, int | None, str], str] = {}
    seen: dict[tuple[int, int | None, str], ManualValue] = {}
    for value in values:
        reading = _check(value, kpis, units, today, problems)
        if reading is None:
            continue
        kpi_id, reading = reading
        key = (kpi_id, reading.unit_id, reading.period)
        if key in seen:
            first = seen[key]
            where = f"line {first.line}" if first.line else "before"
            problems.append(
                _at(
                    value,
                    "period",
                    f"{value.kpi} {reading.period}"
                    + (f" for unit {value.unit}" if value.unit else "")
                    + f" is given again (first at {where}), expected one value per period",
                )
            )
            continue
        seen[key] = value
        labels[key] = value.unit.strip()
        readings.setdefault(kpi_id, []).append(reading)
    if problems:
        raise RecordError(problems)
    now = now or utcnow()
    result = RecordResult()
    slugs = {kpi.id: kpi.slug for kpi, _ in kpis.values()}
    connection = session.connection()
    for kpi_id in sorted(readings):  # one lock order for every writer
        changes = store_readings(
            connection, kpi_id, readings[kpi_id], taken_at=now, source=source, actor=actor
        )
        result.written += [
            RecordedValue(
                slugs[kpi_id],
                labels[(kpi_id, c.reading.unit_id, c.reading.period)],
                c,
            )
            for c in changes
        ]
    result.unchanged = sum(map(len, readings.values())) - len(result.written)
    if result.written:
        result.change_set_id = _audit(session, result, actor, message, origin, now, source)
    return result


def _load_kpis(session: Session, slugs: set[str]) -> dict[str, tuple[Kpi, str | None]]:
    rows = session.execute(
        select(Kpi, Connection.slug)
        .outerjoin(Connection, Kpi.connection_id == Connection.id)
        .where(Kpi.slug.in_(sorted(slugs)), Kpi.archived_at.is_(None))
    ).all()
    return {kpi.slug: (kpi, connection) for kpi, connection in rows}


def _check(
    value: ManualValue,
    kpis: Mapping[str, tuple[Kpi, str | None]],
    units: UnitTree | None,
    today: date,
    problems: list[str],
) -> tuple[int, Reading] | None:
    """The reading of one value, or None with its problems added."""
    slug = value.kpi.strip()
    if not slug:
        problems.append(_at(value, "kpi", "empty, expected the id of a KPI"))
        return None
    if slug not in kpis:
        problems.append(_at(value, "kpi", f"'{slug}' is not a KPI, expected the id of a KPI"))
        return None
    kpi, connection = kpis[slug]
    if not kpi.source_manual:
        problems.append(
            _at(
                value,
                "kpi",
                f"KPI '{slug}' takes its values from a query on connection '{connection}', "
                "expected a manual KPI (source: manual); refresh it with aligna refresh",
            )
        )
        return None
    shape = kpi_shape(kpi, units)
    before = len(problems)
    period: str | None = None
    unit_id: int | None = None
    number: float | None = None
    try:
        period = check_period(value.period, shape, today)
    except ValueError as exc:
        problems.append(_at(value, "period", str(exc)))
    try:
        unit_id = check_unit(value.unit, shape)
    except ValueError as exc:
        problems.append(_at(value, "unit", str(exc)))
    if not value.value.strip():
        problems.append(_at(value, "value", "empty, expected a number"))
    else:
        try:
            number = parse_number(value.value)
        except ValueError as exc:
            problems.append(_at(value, "value", str(exc)))
    if len(problems) > before or period is None or number is None:
        return None
    return kpi.id, Reading(period, number, unit_id, value.note.strip())


def _at(value: ManualValue, column: str, message: str) -> str:
    """A problem located at file:line:column of its cell, or named by its field alone."""
    if value.file:
        return f"{value.file}:{value.line}:{value.columns.get(column, 1)}: {column}: {message}"
    return f"{column}: {message}"


def _audit(
    session: Session,
    result: RecordResult,
    actor: str,
    message: str,
    origin: str,
    now: datetime,
    source: str,
) -> int:
    change_set = ChangeSet(at=now, actor=actor, message=message, source=origin or source)
    session.add(change_set)
    session.flush()
    entries: list[dict[str, Any]] = []
    for value in result.written:
        change = value.change
        reading = change.reading
        entity = "/".join(p for p in (value.kpi, value.unit, reading.period) if p)
        after = {
            "kpi": value.kpi,
            "unit": value.unit or None,
            "period": reading.period,
            "value": reading.value,
            "revision": change.revision,
            "source": source,
            "note": reading.note,
        }
        before = (
            None
            if change.previous is None
            else {
                "kpi": value.kpi,
                "unit": value.unit or None,
                "period": reading.period,
                "value": change.previous,
                "revision": change.revision - 1,
            }
        )
        entries.append(
            {
                "change_set_id": change_set.id,
                "entity_kind": "observation",
                "entity_id": entity,
                "action": "change" if change.revised else "add",
                "before": before,
                "after": after,
            }
        )
    session.execute(insert(AuditEntry), entries)
    return change_set.id
