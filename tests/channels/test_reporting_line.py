"""The reporting line, walked for many people at once or for one in a single statement."""

from __future__ import annotations

from channel_org import build_org
from sqlalchemy import Engine, update

from aligna import model as m
from aligna.channels.acknowledgement import may_act
from aligna.channels.reporting_line import line_above, managers_above
from aligna.db import session_scope


def test_both_walks_agree_and_stop_where_asked(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        assert managers_above(session, [org.olga, org.cleo], 3) == {
            org.olga: [org.max, org.vic, org.cleo],
            org.cleo: [],
        }
        assert [slug for _, slug, _ in line_above(session, org.olga, 3)] == ["max", "vic", "cleo"]
        assert [slug for _, slug, _ in line_above(session, org.olga, 2)] == ["max", "vic"]
        assert managers_above(session, [org.olga], 2)[org.olga] == [org.max, org.vic]


def test_a_loop_in_the_line_ends_the_walk(engine: Engine) -> None:
    org = build_org(engine)
    with session_scope(engine) as session:
        # Cleo reporting to Olga closes a loop (validation refuses it; the walk must not hang).
        session.execute(update(m.Person).where(m.Person.id == org.cleo).values(manager_id=org.olga))
    with session_scope(engine) as session:
        assert [slug for _, slug, _ in line_above(session, org.olga, 20)] == ["max", "vic", "cleo"]
        assert managers_above(session, [org.olga], 20)[org.olga] == [org.max, org.vic, org.cleo]


def test_the_owner_and_anyone_above_may_act_nobody_else(engine: Engine) -> None:
    org = build_org(engine)
    exception = m.PerformanceException(owner_id=org.olga)
    with session_scope(engine) as session:
        allowed = {
            p
            for p in (org.olga, org.max, org.vic, org.cleo, org.ines, org.nia)
            if may_act(session, exception, p)
        }
    assert allowed == {org.olga, org.max, org.vic, org.cleo}
