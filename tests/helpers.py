"""Helpers shared by tests: copying example projects, dumping a whole database, restating
a demo KPI's values as the warehouse would."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from aligna import model as m
from aligna.bulk import read_frame
from aligna.db import session_scope
from aligna.model import Base
from aligna.model.base import utcnow

TEMPLATES = Path(__file__).parents[1] / "src" / "aligna" / "files" / "templates"


def copy_template(target: Path) -> Path:
    """A fresh copy of the `aligna init` example project."""
    shutil.copytree(TEMPLATES, target)
    return target


def dump_database(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every aligna table, sorted, to compare whole databases."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file, failing loudly when it is not there."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def restate_latest(engine: Engine, slug: str, factor: float) -> int:
    """Restate a KPI's latest closed value (and its slices') as the warehouse would: the old
    value superseded, a new revision taken now. Returns the KPI's id."""
    with session_scope(engine) as session:
        kpi = session.execute(select(m.Kpi).where(m.Kpi.slug == slug)).scalar_one()
        period = session.execute(
            select(m.KpiEvaluation.period).where(
                m.KpiEvaluation.kpi_id == kpi.id,
                m.KpiEvaluation.unit_id.is_(None),
                m.KpiEvaluation.latest.is_(True),
            )
        ).scalar_one()
        now = utcnow()
        current = session.execute(
            select(m.Observation).where(
                m.Observation.kpi_id == kpi.id,
                m.Observation.period == period,
                m.Observation.superseded_at.is_(None),
            )
        ).scalars()
        for old in list(current):
            session.execute(
                update(m.Observation).where(m.Observation.id == old.id).values(superseded_at=now)
            )
            session.add(
                m.Observation(
                    kpi_id=kpi.id,
                    unit_id=old.unit_id,
                    period=old.period,
                    value=old.value * factor,
                    revision=old.revision + 1,
                    taken_at=now,
                    source="query",
                )
            )
        return kpi.id


def pick_kpis(engine: Engine) -> tuple[str, str]:
    """An on-track higher-is-better KPI (made off track below) and a broken-down one."""
    frame = read_frame(
        engine,
        "select k.slug, k.polarity, k.breakdown_unit_kind, e.status from kpi k "
        "join kpi_evaluation e on e.kpi_id = k.id and e.latest and e.unit_id is null "
        "order by k.slug",
    )
    on_track = next(
        r[0] for r in frame.iter_rows() if r[1] == "higher_is_better" and r[3] == "on_track"
    )
    broken_down = next(r[0] for r in frame.iter_rows() if r[2] is not None and r[0] != on_track)
    return on_track, broken_down
