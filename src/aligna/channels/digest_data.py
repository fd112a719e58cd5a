"""What goes into each person's digest, read for everyone at once.

A handful of whole-table reads (scorecard items, the latest evaluations, open exceptions, the
notifications since each person's last digest) joined in Polars, then grouped by person, so
building 100,000 digests costs a few reads and one pass, not queries per person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine

from aligna.bulk import read_frame, shared_reads
from aligna.channels.reporting_line import managers_above
from aligna.db import session_scope
from aligna.words import STATUS_WORDS


@dataclass(frozen=True)
class DigestItem:
    """One item on a digest: what it is, how it stands, where to open it."""

    name: str
    path: str
    status: str  # a status word, e.g. "off track"
    status_key: str  # on_track ... for colours
    figure: str  # "92.5 % against 95 % in 2026-10", or an initiative's progress
    how: str = ""  # for influenced items: how the person influences it


@dataclass(frozen=True)
class DigestLine:
    """A change or a need: one sentence and where to act on it."""

    text: str
    path: str


@dataclass
class DigestContent:
    """Everything one person's digest says."""

    person_id: int
    name: str
    email: str
    since: datetime
    items: list[DigestItem] = field(default_factory=list)
    changes: list[DigestLine] = field(default_factory=list)
    needs: list[DigestLine] = field(default_factory=list)
    influenced: list[DigestItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to say: no items, no changes, nothing needing them, nothing influenced."""
        return not (self.items or self.changes or self.needs or self.influenced)


def _ids(values: Sequence[int]) -> str:
    return ",".join(str(int(v)) for v in values) or "NULL"


def number(value: float | None, unit: str) -> str:
    """A figure as people read it: a few significant digits and the unit of measure."""
    if value is None:
        return "no value"
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    text = text.removesuffix(".0")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def read_digest_content(
    engine: Engine,
    people: dict[int, tuple[str, str]],
    since: dict[int, datetime],
    *,
    today: date,
) -> dict[int, DigestContent]:
    """The digest content of the given people (id -> (name, email)), changes since each one's
    last digest."""
    contents = {
        p: DigestContent(person_id=p, name=name, email=email, since=since[p])
        for p, (name, email) in people.items()
    }
    with shared_reads(engine):
        standings = Standings(_kpi_standing(engine), _initiative_standing(engine))
        items = read_frame(
            engine,
            "select person_id as person, kpi_id as kpi, initiative_id as initiative, "
            "unit_id as unit, role, position from scorecard_item",
        )
        influencers = read_frame(
            engine,
            "select person_id as person, kpi_id as kpi, null as initiative, kind "
            "from kpi_influencer where person_id is not null "
            "union all select person_id, null, initiative_id, kind from initiative_influencer "
            "where person_id is not null",
        )
    _add_items(contents, items, standings)
    _add_influenced(contents, influencers, standings)
    _add_needs(engine, contents, standings, today)
    _add_changes(engine, contents, standings)
    return contents


@dataclass(frozen=True)
class Standings:
    """How every live KPI series and initiative stands: (name, path, status key, figure)."""

    kpis: dict[tuple[int, int | None], tuple[str, ...]]
    initiatives: dict[int, tuple[str, ...]]

    def of(self, row: Mapping[str, Any]) -> tuple[str, ...] | None:
        """A row's item: its unit's slice, else the whole KPI, else its initiative."""
        if row["kpi"] is not None:
            kpi = row["kpi"]
            return self.kpis.get((kpi, row.get("unit"))) or self.kpis.get((kpi, None))
        return self.initiatives.get(row["initiative"])


def _kpi_standing(engine: Engine) -> dict[tuple[int, int | None], tuple[str, ...]]:
    """(kpi, unit) -> (name, path, status key, figure) for every live KPI's latest period."""
    frame = read_frame(
        engine,
        "select k.id as kpi, e.unit_id as unit, k.slug, k.name, k.unit_of_measure as uom, "
        "e.period, e.status, e.actual, e.target, u.name as unit_name "
        "from kpi k left join kpi_evaluation e on e.kpi_id = k.id and e.latest "
        "left join unit u on u.id = e.unit_id where k.archived_at is null",
    )
    standing: dict[tuple[int, int | None], tuple[str, ...]] = {}
    for row in frame.iter_rows(named=True):
        name = row["name"] if row["unit"] is None else f"{row['name']} ({row['unit_name']})"
        status = row["status"] or "no_data"
        if row["period"] is None:
            figure = "no value yet"
        else:
            figure = number(row["actual"], row["uom"] or "")
            if row["target"] is not None:
                figure += f" against {number(row['target'], row['uom'] or '')}"
            figure += f" in {row['period']}"
        standing[(int(row["kpi"]), row["unit"])] = (name, f"/kpis/{row['slug']}", status, figure)
    return standing


def _initiative_standing(engine: Engine) -> dict[int, tuple[str, ...]]:
    frame = read_frame(
        engine,
        "select i.id as initiative, i.slug, i.name, e.health, e.percent_complete as done, "
        "e.overdue_milestones as overdue from initiative i "
        "left join initiative_evaluation e on e.initiative_id = i.id where i.archived_at is null",
    )
    standing: dict[int, tuple[str, ...]] = {}
    for row in frame.iter_rows(named=True):
        done = row["done"]
        figure = "not evaluated yet" if done is None else f"{done:.0f}% complete"
        if row["overdue"]:
            figure += f", {row['overdue']} milestone{'s' if row['overdue'] > 1 else ''} overdue"
        standing[int(row["initiative"])] = (
            row["name"],
            f"/initiatives/{row['slug']}",
            row["health"] or "no_data",
            figure,
        )
    return standing


def _item(standing: tuple[str, ...], how: str = "") -> DigestItem:
    name, path, status, figure = standing
    return DigestItem(name, path, STATUS_WORDS.get(status, status), status, figure, how)


def _add_items(
    contents: dict[int, DigestContent],
    items: pl.DataFrame,
    standings: Standings,
) -> None:
    if items.is_empty():
        return
    for row in items.sort("person", "position").iter_rows(named=True):
        content = contents.get(row["person"])
        if content is None:
            continue
        found = standings.of(row)
        if found is None:  # archived since
            continue
        if row["role"] == "influencer":
            content.influenced.append(_item(found, "on your scorecard as influencer"))
        else:
            content.items.append(_item(found))


def _add_influenced(
    contents: dict[int, DigestContent],
    influencers: pl.DataFrame,
    standings: Standings,
) -> None:
    if influencers.is_empty():
        return
    for row in influencers.iter_rows(named=True):
        content = contents.get(row["person"])
        if content is None:
            continue
        found = standings.of(row)  # influence is on the whole KPI (no unit)
        if found is None or any(i.path == found[1] for i in content.influenced):
            continue
        content.influenced.append(_item(found, str(row["kind"]).replace("_", "-")))


def _add_needs(
    engine: Engine,
    contents: dict[int, DigestContent],
    standings: Standings,
    today: date,
) -> None:
    """Open exceptions the person owns or that were escalated to them, and their commitments."""
    frame = read_frame(
        engine,
        "select id, kind, kpi_id as kpi, unit_id as unit, initiative_id as initiative, "
        "owner_id as owner, level, acknowledged_at, commitment, commitment_due, detail "
        "from performance_exception where closed_at is null and owner_id is not null",
    )
    if frame.is_empty():
        return
    escalated = frame.filter(pl.col("level") > 0)
    lines: dict[int, list[int]] = {}
    if not escalated.is_empty():
        with session_scope(engine) as session:
            lines = managers_above(
                session, escalated["owner"].unique().to_list(), int(escalated["level"].max())
            )
    for row in frame.iter_rows(named=True):
        found = standings.of(row)
        name = found[0] if found else "an item"
        path = f"/exceptions/{row['id']}"
        due = row["commitment_due"]
        if due is not None and row["acknowledged_at"] is not None:
            when = "overdue" if _as_date(due) < today else f"due {_as_date(due).isoformat()}"
            text = f"{name}: your commitment ({when}): {row['commitment']}"
        elif row["acknowledged_at"] is not None:
            text = f"{_said(name, row['detail'])} (acknowledged, still open)"
        else:
            text = f"{_said(name, row['detail'])} (not acknowledged yet)"
        owner = contents.get(row["owner"])
        if owner is not None:
            owner.needs.append(DigestLine(text, path))
        for level, manager in enumerate(lines.get(row["owner"], [])[: row["level"]], start=1):
            reached = contents.get(manager)
            if reached is not None:
                reached.needs.append(
                    DigestLine(
                        f"{_said(name, row['detail'])} (escalated to you, level {level})", path
                    )
                )


def _said(name: str, detail: str) -> str:
    """An exception's detail, which names its item already, else the item and the detail."""
    if not detail:
        return name
    return detail if detail.startswith(name) else f"{name}: {detail}"


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _add_changes(
    engine: Engine,
    contents: dict[int, DigestContent],
    standings: Standings,
) -> None:
    """What each person was told of since their last digest, one line per event."""
    if not contents:
        return
    # A day's margin covers how each database compares a text timestamp; the exact cut is
    # made per person below.
    oldest = (min(c.since for c in contents.values()) - timedelta(days=1)).astimezone(UTC)
    literal = oldest.strftime("%Y-%m-%d %H:%M:%S")
    if engine.dialect.name == "postgresql":
        literal += "+00:00"
    frame = read_frame(
        engine,
        "select n.person_id as person, n.created_at, e.kind, e.kpi_id as kpi, e.unit_id as unit, "
        "e.initiative_id as initiative, e.exception_id as exception, e.status_from, e.status_to, "
        "e.period, e.level, e.detail from notification n join channel_event e on e.id = n.event_id "
        f"where n.created_at >= '{literal}' order by n.created_at, n.id",
    )
    if frame.is_empty():
        return
    by_person: dict[int, list[DigestLine]] = defaultdict(list)
    for row in frame.iter_rows(named=True):
        content = contents.get(row["person"])
        if content is None or _aware(row["created_at"]) <= content.since:
            continue
        by_person[row["person"]].append(_change_line(row, standings))
    for person, changes in by_person.items():
        contents[person].changes = changes


def _aware(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _change_line(
    row: dict[str, object],
    standings: Standings,
) -> DigestLine:
    found = standings.of(row)
    name, path = (found[0], found[1]) if found else ("an item", "/")
    if row["exception"] is not None:
        path = f"/exceptions/{row['exception']}"
    kind = row["kind"]
    if kind == "status_changed":
        before = STATUS_WORDS.get(str(row["status_from"]), str(row["status_from"]))
        after = STATUS_WORDS.get(str(row["status_to"]), str(row["status_to"]))
        period = f" in {row['period']}" if row["period"] else ""
        text = f"{name} went from {before} to {after}{period}"
    else:
        words = {
            "exception_opened": "exception opened",
            "exception_escalated": f"escalated to level {row['level']}",
            "exception_acknowledged": "acknowledged",
            "exception_committed": "turned into a commitment",
            "commitment_missed": "commitment missed",
            "exception_resolved": "resolved",
            "milestone_due_soon": "milestone due soon",
        }
        text = f"{name}: {words.get(str(kind), str(kind))}"
        if row["detail"] and kind in ("exception_opened", "milestone_due_soon"):
            text = f"{words[str(kind)].capitalize()}: {_said(name, str(row['detail']))}"
    return DigestLine(text, path)
