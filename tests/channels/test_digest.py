"""Digests: who gets one on which day, and what each says, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from channel_org import Org, build_org, off_track, reconcile
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.digest import write_digests
from aligna.channels.dispatch import dispatch_events
from aligna.channels.escalation import escalate
from aligna.channels.preferences import set_preferences
from aligna.db import session_scope
from aligna.settings import Settings

OPENED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
NEXT_MONDAY = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)


@pytest.fixture
def org(engine: Engine) -> Org:
    built = build_org(engine)
    with session_scope(engine) as session:
        session.add(m.EscalationRule(exception_kind="off_track", days=3, levels=2))
        # The KPI's latest closed period, as an evaluation stores it.
        session.add(
            m.KpiEvaluation(
                run_id=1,
                kpi_id=built.kpi,
                period="2026-10",
                latest=True,
                actual=81.0,
                target=95.0,
                status="off_track",
                signals="[]",
                stale_reason="",
            )
        )
    return built


@pytest.fixture
def settings() -> Settings:
    return Settings(public_url="https://aligna.example.org", name="Acme", smtp_host="127.0.0.1")


def _digests(engine: Engine, transport: str = "email") -> dict[str, tuple[str, str, str | None]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(m.Person.slug, m.Message.subject, m.Message.body_text, m.Message.body_html)
            .join(m.Person, m.Person.id == m.Message.person_id)
            .where(m.Message.event_kind == "digest", m.Message.transport == transport)
        ).all()
    return {slug: (subject, text, html) for slug, subject, text, html in rows}


def _open_and_escalate(engine: Engine, org: Org, settings: Settings) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    dispatch_events(engine, settings, now=OPENED)
    escalate(engine, settings, now=OPENED + timedelta(days=3))
    dispatch_events(engine, settings, now=OPENED + timedelta(days=3))


def test_the_owner_reads_her_items_what_needs_her_and_what_changed(
    engine: Engine, org: Org, settings: Settings
) -> None:
    _open_and_escalate(engine, org, settings)
    summary = write_digests(engine, settings, now=NEXT_MONDAY)
    digests = _digests(engine)
    # Everyone with something to say; Nia has no items and was told nothing.
    assert sorted(digests) == ["fred", "ines", "max", "olga"]
    subject, text, html = digests["olga"]
    assert subject == "[Acme] Your weekly digest: 1 needs you"
    assert "Your weekly feedback on your scorecard at Acme, 2026-11-09." in text
    assert (
        "WHAT NEEDS YOU (1)\n  - On-time delivery was 81% in 2026-10 against a target of 95% "
        "(not acknowledged yet)\n    https://aligna.example.org/exceptions/"
    ) in text
    assert (
        "YOUR ITEMS\n  ■ off track  On-time delivery: 81% against 95% in 2026-10\n"
        "    https://aligna.example.org/kpis/delivery"
    ) in text
    # Changes since a first digest: the week before it.
    assert "WHAT CHANGED SINCE 2026-11-02" in text
    assert "  - Exception opened: On-time delivery was 81% in 2026-10 against a target" in text
    assert "  - On-time delivery: escalated to level 1" in text
    assert html is not None and "What needs you (1)" in html and "#b3261e" in html
    assert summary.written == len(digests) and summary.messages == 2 * len(digests)


def test_the_manager_reads_what_was_escalated_to_him(
    engine: Engine, org: Org, settings: Settings
) -> None:
    _open_and_escalate(engine, org, settings)
    write_digests(engine, settings, now=NEXT_MONDAY)
    _, text, _ = _digests(engine)["max"]
    assert (
        "  - On-time delivery was 81% in 2026-10 against a target of 95% (escalated to you, "
        "level 1)"
    ) in text
    assert "YOUR ITEMS" not in text  # Max has no scorecard items of his own


def test_an_influencer_reads_the_items_she_influences(
    engine: Engine, org: Org, settings: Settings
) -> None:
    _open_and_escalate(engine, org, settings)
    write_digests(engine, settings, now=NEXT_MONDAY)
    _, text, _ = _digests(engine)["ines"]
    assert (
        "ITEMS YOU INFLUENCE\n  ■ off track  On-time delivery (cross-functional): "
        "81% against 95% in 2026-10"
    ) in text


def test_who_is_due_depends_on_the_day_and_the_cadence(
    engine: Engine, org: Org, settings: Settings
) -> None:
    with session_scope(engine) as session:
        set_preferences(session, org.vic, {"digest": "daily"})
        set_preferences(session, org.olga, {"digest": "off"})
    tuesday = NEXT_MONDAY + timedelta(days=1)
    # Tuesday: only daily digests, and Vic has nothing to say yet (no items, no changes).
    summary = write_digests(engine, settings, now=tuesday)
    assert (summary.due, summary.written) == (1, 0)
    # Monday: the weekly ones too; Olga switched hers off.
    summary = write_digests(engine, settings, now=NEXT_MONDAY)
    assert "olga" not in _digests(engine)
    # Seven people less Olga are due; only Ines (who influences the KPI) has anything to read.
    assert (summary.due, summary.written) == (6, 1)


def test_a_second_run_writes_nothing_twice_and_the_next_says_only_what_is_new(
    engine: Engine, org: Org, settings: Settings
) -> None:
    _open_and_escalate(engine, org, settings)
    first = write_digests(engine, settings, now=NEXT_MONDAY)
    again = write_digests(engine, settings, now=NEXT_MONDAY + timedelta(hours=1))
    assert first.messages > 0 and again.messages == 0
    week_after = NEXT_MONDAY + timedelta(days=7)
    write_digests(engine, settings, now=week_after)
    with session_scope(engine) as session:
        text = session.execute(
            select(m.Message.body_text)
            .join(m.Person, m.Person.id == m.Message.person_id)
            .where(
                m.Person.slug == "olga",
                m.Message.transport == "email",
                m.Message.idempotency_key.like("digest:2026-11-16:%"),
            )
        ).scalar_one()
    assert "Nothing you are told of changed." in text
