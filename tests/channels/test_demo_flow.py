"""The issue's "done when", as a test: in the demo, a KPI turning off track puts a message in
its owner's inbox and, after the policy's days on the clock, in the owner's manager's."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.policy import escalation_rules
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.evaluate.service import evaluate
from aligna.files.service import apply_project, validate_project
from aligna.jobs import JOBS, JobContext
from aligna.measure.refresh import refresh
from aligna.model.base import utcnow
from aligna.settings import Settings, load_settings
from helpers import pick_kpis, restate_latest

DAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("channels") / "demo"
    build_demo_project(folder, people=20, seed=7, today=DAY)
    return folder


def _inbox(engine: Engine, person: int) -> list[str]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(m.Message.subject)
                .join(m.InboxItem, m.InboxItem.message_id == m.Message.id)
                .where(m.InboxItem.person_id == person)
                .order_by(m.InboxItem.id)
            )
        )


def _deliver(engine: Engine, settings: Settings, days: float = 0) -> dict[str, object]:
    context = JobContext(engine, settings, utcnow() + timedelta(days=days), runner="test")
    return JOBS["deliver"].run(context)


def test_an_off_track_kpi_reaches_its_owner_then_climbs_to_the_manager(
    demo_folder: Path, database_url: str
) -> None:
    settings = load_settings(demo_folder, database_url=database_url)
    engine = open_database(database_url)
    with session_scope(engine) as session:
        apply_project(session, validate_project(demo_folder), actor="t", message="demo")
    assert refresh(engine, settings, today=DAY).failed == 0
    evaluate(engine, as_of=DAY)
    _deliver(engine, settings)  # what the first evaluation opened goes out first
    on_track, _ = pick_kpis(engine)
    kpi_id = restate_latest(engine, on_track, 0.1)
    with session_scope(engine) as session:
        kpi = session.get(m.Kpi, kpi_id)
        assert kpi is not None
        owner, name = kpi.owner_id, kpi.name
        manager = session.get(m.Person, owner).manager_id  # type: ignore[union-attr]
        days, _ = escalation_rules(session)["off_track"]
    assert manager is not None
    before_owner, before_manager = _inbox(engine, owner), _inbox(engine, manager)

    summary = evaluate(engine, as_of=DAY)
    # (On PostgreSQL values stamped within a minute are looked at again, so this may be full.)
    assert summary.exceptions and summary.exceptions.opened >= 1
    with session_scope(engine) as session:
        moved = session.execute(
            select(m.ChannelEvent.status_from, m.ChannelEvent.status_to).where(
                m.ChannelEvent.kind == "status_changed",
                m.ChannelEvent.kpi_id == kpi_id,
                m.ChannelEvent.unit_id.is_(None),
            )
        ).all()
    assert [tuple(r) for r in moved] == [("on_track", "off_track")]
    delivered = _deliver(engine, settings)
    assert delivered["sent"] >= 1
    new = _inbox(engine, owner)[len(before_owner) :]
    assert f"Exception on {name}: off track" in new

    escalate = JOBS["escalate"]
    early = escalate.run(JobContext(engine, settings, utcnow() + timedelta(days=days - 0.5)))
    assert early["escalated"] == 0
    assert not [s for s in _inbox(engine, manager)[len(before_manager) :] if name in s]
    late = escalate.run(JobContext(engine, settings, utcnow() + timedelta(days=days, hours=1)))
    assert late["escalated"] >= 1
    _deliver(engine, settings, days=days + 0.1)
    escalated = [s for s in _inbox(engine, manager)[len(before_manager) :] if name in s]
    assert escalated and "Escalated (level 1)" in escalated[0]
    engine.dispose()
