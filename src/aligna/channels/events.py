"""Writing channel events in the same transaction as the change that causes them.

An exception opened or resolved by an evaluation, a status that changed, an acknowledgement:
each is one `channel_event` row written by the code that makes the change, inside its
transaction, so an event exists exactly when its change does. The dispatcher
(channels/dispatch.py) later turns events into notifications and messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import insert
from sqlalchemy.orm import Session

from aligna.enums import EventKind
from aligna.model import ChannelEvent

SYSTEM = "aligna"
# Status words that are a real change of standing; stale and no data have exceptions of their
# own or say nothing about performance.
STANDINGS = ("on_track", "at_risk", "off_track")


@dataclass(frozen=True)
class OpenedException:
    """An exception an evaluation has just opened."""

    id: int
    kind: str
    kpi_id: int | None
    unit_id: int | None
    initiative_id: int | None
    milestone_id: int | None
    period: str | None
    detail: str


def write_events(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert event rows (dicts of ChannelEvent columns) in the caller's transaction."""
    if not rows:
        return 0
    defaults = {
        "key": None,
        "exception_id": None,
        "kpi_id": None,
        "unit_id": None,
        "initiative_id": None,
        "milestone_id": None,
        "period": None,
        "status_from": None,
        "status_to": None,
        "level": None,
        "actor_person_id": None,
        "actor": SYSTEM,
        "note": "",
        "deadline": None,
        "detail": "",
    }
    # One executemany with every column given, so all rows share one statement.
    session.execute(insert(ChannelEvent), [defaults | dict(row) for row in rows])
    return len(rows)


def exception_opened_rows(opened: Sequence[OpenedException], now: datetime) -> list[dict[str, Any]]:
    """The `exception_opened` events of exceptions just opened."""
    return [
        {
            "kind": EventKind.exception_opened,
            "at": now,
            "exception_id": x.id,
            "kpi_id": x.kpi_id,
            "unit_id": x.unit_id,
            "initiative_id": x.initiative_id,
            "milestone_id": x.milestone_id,
            "period": x.period,
            "level": 0,
            "detail": x.detail,
        }
        for x in opened
    ]


def exception_resolved_rows(
    closed: Sequence[tuple[int, int | None, int | None, int | None, str]], now: datetime
) -> list[dict[str, Any]]:
    """The `exception_resolved` events of exceptions whose cause went away.

    `closed` holds (exception id, kpi id, unit id, initiative id, detail) per exception.
    """
    return [
        {
            "kind": EventKind.exception_resolved,
            "at": now,
            "exception_id": exception_id,
            "kpi_id": kpi_id,
            "unit_id": unit_id,
            "initiative_id": initiative_id,
            "detail": f"Resolved: the cause went away ({detail})" if detail else "Resolved",
        }
        for exception_id, kpi_id, unit_id, initiative_id, detail in closed
    ]


def status_change_rows(
    before: pl.DataFrame, after: pl.DataFrame, now: datetime
) -> list[dict[str, Any]]:
    """`status_changed` events for series whose latest closed status moved between standings.

    `before` has kpi, unit, status (the stored latest rows); `after` kpi, unit, period, status
    (the new latest rows of the series evaluated). A series new to the evaluation has no
    before, so nothing changed for it.
    """
    if before.is_empty() or after.is_empty():
        return []
    joined = after.select(
        pl.col("kpi").cast(pl.Int64),
        pl.col("unit").cast(pl.Int64),
        pl.col("period").cast(pl.Utf8),
        pl.col("status").cast(pl.Utf8).alias("status_to"),
    ).join(
        before.select(
            pl.col("kpi").cast(pl.Int64),
            pl.col("unit").cast(pl.Int64),
            pl.col("status").cast(pl.Utf8).alias("status_from"),
        ),
        on=["kpi", "unit"],
        how="inner",
        nulls_equal=True,
    )
    return [
        {
            "kind": EventKind.status_changed,
            "at": now,
            "kpi_id": row["kpi"],
            "unit_id": row["unit"],
            "period": row["period"],
            "status_from": row["status_from"],
            "status_to": row["status_to"],
        }
        for row in _moved(joined).iter_rows(named=True)
    ]


def _moved(joined: pl.DataFrame) -> pl.DataFrame:
    """The rows whose status moved from one standing to another."""
    return joined.filter(
        pl.col("status_from").is_in(STANDINGS)
        & pl.col("status_to").is_in(STANDINGS)
        & (pl.col("status_from") != pl.col("status_to"))
    )


def initiative_change_rows(
    before: pl.DataFrame, after: pl.DataFrame, now: datetime
) -> list[dict[str, Any]]:
    """`status_changed` events for initiatives whose health moved between standings."""
    if before.is_empty() or after.is_empty() or "health" not in after.columns:
        return []
    joined = after.select(
        pl.col("initiative").cast(pl.Int64), pl.col("health").cast(pl.Utf8).alias("status_to")
    ).join(
        before.select(
            pl.col("initiative").cast(pl.Int64),
            pl.col("health").cast(pl.Utf8).alias("status_from"),
        ),
        on="initiative",
    )
    return [
        {
            "kind": EventKind.status_changed,
            "at": now,
            "initiative_id": row["initiative"],
            "status_from": row["status_from"],
            "status_to": row["status_to"],
        }
        for row in _moved(joined).iter_rows(named=True)
    ]


def person_event_row(
    kind: EventKind,
    *,
    exception_id: int,
    kpi_id: int | None,
    unit_id: int | None,
    initiative_id: int | None,
    level: int,
    actor_person_id: int | None,
    actor: str,
    now: datetime,
    note: str = "",
    deadline: date | None = None,
    detail: str = "",
) -> dict[str, Any]:
    """An event a person (or a job acting on an exception) causes, for its timeline."""
    return {
        "kind": kind,
        "at": now,
        "exception_id": exception_id,
        "kpi_id": kpi_id,
        "unit_id": unit_id,
        "initiative_id": initiative_id,
        "level": level,
        "actor_person_id": actor_person_id,
        "actor": actor,
        "note": note,
        "deadline": deadline,
        "detail": detail,
    }
