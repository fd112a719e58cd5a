"""The escalation policy: for each exception kind, how many days per level and how many levels.

channels.yaml declares it (files/channels.py) and apply stores it as escalation_rule rows. A
kind's own row wins; a kind without one takes the `*` row; without a `*` row either, the
built-in default below applies (its own kind's entry, else its `*`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna.model import EscalationRule

DEFAULT_KIND = "*"
# The performance exception kinds of evaluate/exceptions.py (KINDS); written out rather than
# imported so that validating project files does not load the evaluation stack (a test keeps
# the two equal).
EXCEPTION_KINDS = ("off_track", "adverse_signal", "overdue_milestone", "stale")
# (days, levels). Off track and adverse signals give the owner a week before their manager
# hears of it; an overdue milestone is already late, so it climbs faster; stale data is for the
# owner's data people first, and goes up one level only.
DEFAULT_ESCALATION: dict[str, tuple[int, int]] = {
    DEFAULT_KIND: (5, 2),
    "off_track": (7, 2),
    "adverse_signal": (7, 2),
    "overdue_milestone": (3, 2),
    "stale": (14, 1),
}


def effective_rules(declared: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The (days, levels) of every exception kind, from the declared rules and the defaults."""
    rules: dict[str, tuple[int, int]] = {}
    for kind in EXCEPTION_KINDS:
        if kind in declared:
            rules[kind] = declared[kind]
        elif DEFAULT_KIND in declared:
            rules[kind] = declared[DEFAULT_KIND]
        else:
            rules[kind] = DEFAULT_ESCALATION.get(kind, DEFAULT_ESCALATION[DEFAULT_KIND])
    return rules


def escalation_rules(session: Session) -> dict[str, tuple[int, int]]:
    """The effective (days, levels) of every exception kind, as stored rows and defaults say."""
    rows = session.execute(
        select(EscalationRule.exception_kind, EscalationRule.days, EscalationRule.levels)
    ).all()
    return effective_rules({kind: (days, levels) for kind, days, levels in rows})
