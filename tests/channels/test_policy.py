"""The escalation policy: a kind's own rule, else the `*` rule, else the built-in defaults."""

from __future__ import annotations

from sqlalchemy import Engine

from aligna import model as m
from aligna.channels.policy import (
    DEFAULT_ESCALATION,
    EXCEPTION_KINDS,
    effective_rules,
    escalation_rules,
)
from aligna.db import session_scope
from aligna.evaluate.exceptions import KINDS

BUILT_IN = {
    "off_track": (7, 2),
    "adverse_signal": (7, 2),
    "overdue_milestone": (3, 2),
    "stale": (14, 1),
}


def test_the_policy_knows_every_exception_kind() -> None:
    assert EXCEPTION_KINDS == KINDS
    assert set(DEFAULT_ESCALATION) == {"*", *KINDS}
    assert DEFAULT_ESCALATION["*"] == (5, 2)


def test_without_rules_the_built_in_defaults_apply() -> None:
    assert effective_rules({}) == BUILT_IN


def test_a_kinds_own_rule_wins_and_star_covers_the_others() -> None:
    assert effective_rules({"off_track": (3, 2)}) == {**BUILT_IN, "off_track": (3, 2)}
    # `*` replaces the built-in default of every kind without a rule of its own.
    assert effective_rules({"*": (10, 1), "stale": (2, 0)}) == {
        "off_track": (10, 1),
        "adverse_signal": (10, 1),
        "overdue_milestone": (10, 1),
        "stale": (2, 0),
    }


def test_stored_rules_are_read(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert escalation_rules(session) == BUILT_IN
        session.add(m.EscalationRule(exception_kind="*", days=5, levels=2))
        session.add(m.EscalationRule(exception_kind="off_track", days=3, levels=2))
    with session_scope(engine) as session:
        assert escalation_rules(session) == {
            "off_track": (3, 2),
            "adverse_signal": (5, 2),
            "overdue_milestone": (5, 2),
            "stale": (5, 2),
        }
