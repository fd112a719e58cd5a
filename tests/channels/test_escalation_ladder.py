"""Who hears what, and the escalation ladder over simulated days, on SQLite and PostgreSQL.

The organisation (tests/channels/channel_org.py): Cleo <- Vic <- Max <- Olga, Olga owns `delivery`,
Ines influences it, Fred follows it. The policy for off_track: 3 days a level, 2 levels.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from channel_org import Org, build_org, off_track, reconcile
from sqlalchemy import Engine, select

from aligna import model as m
from aligna.channels.acknowledgement import Action, ExceptionActionError, acknowledge, commit
from aligna.channels.acknowledgement import timeline as exception_timeline
from aligna.channels.dispatch import dispatch_events
from aligna.channels.escalation import escalate
from aligna.channels.preferences import set_preferences
from aligna.db import session_scope
from aligna.settings import Settings

OPENED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def org(engine: Engine) -> Org:
    built = build_org(engine)
    with session_scope(engine) as session:
        session.add(m.EscalationRule(exception_kind="off_track", days=3, levels=2))
    return built


@pytest.fixture
def settings() -> Settings:
    return Settings(public_url="https://aligna.example.org", name="Acme")


def _notifications(engine: Engine) -> list[tuple[str, str, str, str]]:
    """(event kind, person slug, role, delivery) of every notification, in order."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(m.ChannelEvent.kind, m.Person.slug, m.Notification.role, m.Notification.delivery)
            .join(m.ChannelEvent, m.ChannelEvent.id == m.Notification.event_id)
            .join(m.Person, m.Person.id == m.Notification.person_id)
            .order_by(m.Notification.id)
        ).all()
    return [(str(k), s, str(r), str(d)) for k, s, r, d in rows]


def _inbox_messages(engine: Engine) -> list[tuple[str, str, str]]:
    """(person slug, event kind, subject) of the inbox messages in the outbox, in order."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(m.Person.slug, m.Message.event_kind, m.Message.subject)
            .join(m.Person, m.Person.id == m.Message.person_id)
            .where(m.Message.transport == "inbox")
            .order_by(m.Message.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _exception(engine: Engine) -> m.PerformanceException:
    with session_scope(engine) as session:
        return session.execute(select(m.PerformanceException)).scalar_one()


def test_an_opened_exception_reaches_the_owner_now_and_the_others_by_digest(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    summary = dispatch_events(engine, settings, now=OPENED)
    assert summary.events == 1 and summary.notifications == 3
    assert _notifications(engine) == [
        ("exception_opened", "olga", "owner", "immediately"),
        ("exception_opened", "ines", "influencer", "daily"),
        ("exception_opened", "fred", "follower", "daily"),
    ]
    # Only the owner hears at once; no SMTP server is set, so only the inbox.
    inbox = _inbox_messages(engine)
    assert [(p, k) for p, k, _ in inbox] == [("olga", "exception_opened")]
    # The inbox's short form: the page names the organisation and links to the exception.
    assert inbox[0][2] == "Exception on On-time delivery: off track"
    with session_scope(engine) as session:
        message = session.execute(select(m.Message)).scalar_one()
    assert message.link == f"/exceptions/{_exception(engine).id}"
    assert message.body_text.startswith("On-time delivery was 81% in 2026-10")
    assert message.body_text.endswith("You are told because you are accountable for it.")
    # Dispatching again finds nothing new.
    assert dispatch_events(engine, settings, now=OPENED).events == 0


def test_with_smtp_set_the_owner_also_gets_an_email_with_html(engine: Engine, org: Org) -> None:
    settings = Settings(smtp_host="127.0.0.1", public_url="https://a.example")
    reconcile(engine, org, off_track(org), OPENED)
    dispatch_events(engine, settings, now=OPENED)
    with session_scope(engine) as session:
        rows = session.execute(
            select(m.Message.transport, m.Message.body_html.is_not(None)).order_by(m.Message.id)
        ).all()
        email = session.execute(
            select(m.Message).where(m.Message.transport == "email")
        ).scalar_one()
    assert [(str(t), h) for t, h in rows] == [("inbox", False), ("email", True)]
    assert email.subject == "[aligna] Exception on On-time delivery: off track"
    assert f"Open it: https://a.example/exceptions/{_exception(engine).id}" in email.body_text
    assert "Choose what you hear of and when: https://a.example/me/notifications" in (
        email.body_text
    )


def test_the_ladder_climbs_every_three_days_to_two_levels_then_stops(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    dispatch_events(engine, settings, now=OPENED)

    def run(days: float) -> tuple[int, int]:
        at = OPENED + timedelta(days=days)
        summary = escalate(engine, settings, now=at)
        dispatch_events(engine, settings, now=at)
        return summary.escalated, _exception(engine).level

    assert run(2.9) == (0, 0)  # not yet three days
    assert run(3) == (1, 1)  # day 3: Max, Olga's manager
    assert _inbox_messages(engine)[-2:] == [
        ("olga", "exception_escalated", "Escalated (level 1): On-time delivery"),
        ("max", "exception_escalated", "Escalated (level 1): On-time delivery"),
    ]
    assert run(5.9) == (0, 1)  # three days counted from the climb, not from now
    assert run(6) == (1, 2)  # day 6: Vic
    assert [p for p, k, _ in _inbox_messages(engine)[-3:]] == ["olga", "vic", "max"]
    assert run(30) == (0, 2)  # two levels is the top of this policy: Cleo is never told
    assert "cleo" not in {p for p, _, _ in _inbox_messages(engine)}
    with session_scope(engine) as session:
        steps = exception_timeline(session, _exception(engine).id)
    assert [(s["kind"], s["level"]) for s in steps] == [
        ("exception_opened", 0),
        ("exception_escalated", 1),
        ("exception_escalated", 2),
    ]
    assert steps[1]["detail"] == "Not acknowledged within 3 days: escalated to Max."


def test_a_late_run_climbs_the_levels_it_missed_at_once(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    summary = escalate(engine, settings, now=OPENED + timedelta(days=8))
    assert (summary.escalated, summary.exceptions) == (2, 1)
    exception = _exception(engine)
    # The clock of the next level keeps the rhythm: day 6, not day 8.
    assert exception.level == 2 and exception.level_since == OPENED + timedelta(days=6)


def test_acknowledging_stops_the_climb_and_tells_who_it_reached(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    escalate(engine, settings, now=OPENED + timedelta(days=3))
    dispatch_events(engine, settings, now=OPENED + timedelta(days=3))
    at = OPENED + timedelta(days=4)
    with session_scope(engine) as session:
        acknowledge(
            session,
            exception_id=_exception(engine).id,
            by=Action(org.olga, "person:olga"),
            note="Carrier switched; recovering by December",
            now=at,
        )
    dispatch_events(engine, settings, now=at)
    assert escalate(engine, settings, now=OPENED + timedelta(days=30)).escalated == 0
    acknowledged = [n for n in _notifications(engine) if n[0] == "exception_acknowledged"]
    # Olga acted, so she is not told; Max (reached at level 1) is, in his daily digest.
    assert acknowledged == [
        ("exception_acknowledged", "max", "manager", "daily"),
        ("exception_acknowledged", "ines", "influencer", "weekly"),
        ("exception_acknowledged", "fred", "follower", "weekly"),
    ]
    with session_scope(engine) as session:
        steps = exception_timeline(session, _exception(engine).id)
    assert steps[-1]["kind"] == "exception_acknowledged"
    assert steps[-1]["actor"] == "Olga"
    assert steps[-1]["note"] == "Carrier switched; recovering by December"


def test_a_missed_commitment_resumes_the_climb_from_its_deadline_run(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    x = _exception(engine).id
    with session_scope(engine) as session:
        commit(
            session,
            exception_id=x,
            by=Action(org.olga, "person:olga"),
            commitment="New carrier live",
            deadline=date(2026, 11, 10),
            today=date(2026, 11, 2),
            now=OPENED,
        )
    assert escalate(engine, settings, now=OPENED + timedelta(days=8)).escalated == 0
    # 11 November: the deadline (10 November) has passed and it is still open.
    missed_at = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)
    summary = escalate(engine, settings, now=missed_at)
    assert summary.commitments_missed == 1 and summary.escalated == 0
    assert escalate(engine, settings, now=missed_at + timedelta(days=2, hours=23)).escalated == 0
    assert escalate(engine, settings, now=missed_at + timedelta(days=3)).escalated == 1
    with session_scope(engine) as session:
        kinds = [s["kind"] for s in exception_timeline(session, x)]
    assert kinds == [
        "exception_opened",
        "exception_committed",
        "commitment_missed",
        "exception_escalated",
    ]


def test_a_commitment_needs_a_future_deadline_and_an_open_exception(
    engine: Engine, org: Org
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    x = _exception(engine).id
    with (
        pytest.raises(ExceptionActionError, match="2026-11-01 has passed"),
        session_scope(engine) as session,
    ):
        commit(
            session,
            exception_id=x,
            by=Action(org.olga, "o"),
            commitment="x",
            deadline=date(2026, 11, 1),
            today=date(2026, 11, 2),
            now=OPENED,
        )
    reconcile(engine, org, off_track(org).clear(), OPENED + timedelta(days=1))
    with (
        pytest.raises(ExceptionActionError, match="already resolved"),
        session_scope(engine) as session,
    ):
        acknowledge(session, exception_id=x, by=Action(org.olga, "o"), note="n", now=OPENED)


def test_it_closes_by_itself_and_everyone_it_reached_hears(
    engine: Engine, org: Org, settings: Settings
) -> None:
    reconcile(engine, org, off_track(org), OPENED)
    escalate(engine, settings, now=OPENED + timedelta(days=3))
    dispatch_events(engine, settings, now=OPENED + timedelta(days=3))
    back = OPENED + timedelta(days=4)
    reconcile(engine, org, off_track(org).clear(), back)
    dispatch_events(engine, settings, now=back)
    exception = _exception(engine)
    assert exception.closed_at == back
    resolved = [n for n in _notifications(engine) if n[0] == "exception_resolved"]
    assert [(p, r) for _, p, r, _ in resolved] == [
        ("olga", "owner"),
        ("max", "manager"),
        ("ines", "influencer"),
        ("fred", "follower"),
    ]
    # A closed exception never climbs again.
    assert escalate(engine, settings, now=OPENED + timedelta(days=30)).escalated == 0


def test_preferences_decide_how_each_person_hears(
    engine: Engine, org: Org, settings: Settings
) -> None:
    with session_scope(engine) as session:
        set_preferences(session, org.olga, {"exception_opened": "daily"})
        set_preferences(session, org.ines, {"exception_opened": "immediately"})
        set_preferences(session, org.fred, {"exception_opened": "off"})
    reconcile(engine, org, off_track(org), OPENED)
    dispatch_events(engine, settings, now=OPENED)
    assert _notifications(engine) == [
        ("exception_opened", "olga", "owner", "daily"),
        ("exception_opened", "ines", "influencer", "immediately"),
    ]
    assert [p for p, _, _ in _inbox_messages(engine)] == ["ines"]
