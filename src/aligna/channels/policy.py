"""The escalation policy: for each exception kind, how many days a level and how many levels.

The project files own the stored rules (channels.yaml); a kind without a rule of its own
follows the `*` rule, and without that the built-in default below.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna.evaluate.exceptions import KINDS
from aligna.model import EscalationRule

DEFAULT_KIND = "*"
# (days a level, levels): the data people fix stale data, so it climbs slower and less high.
DEFAULT_ESCALATION: dict[str, tuple[int, int]] = {
    DEFAULT_KIND: (5, 2),
    "off_track": (7, 2),
    "adverse_signal": (7, 2),
    "overdue_milestone": (3, 2),
    "stale": (14, 1),
}


def escalation_rules(session: Session) -> dict[str, tuple[int, int]]:
    """The effective (days, levels) of every exception kind."""
    stored = {
        kind: (days, levels)
        for kind, days, levels in session.execute(
            select(EscalationRule.exception_kind, EscalationRule.days, EscalationRule.levels)
        )
    }
    fallback = stored.get(DEFAULT_KIND)
    rules: dict[str, tuple[int, int]] = {}
    for kind in KINDS:
        if kind in stored:
            rules[kind] = stored[kind]
        elif fallback is not None:
            rules[kind] = fallback
        else:
            rules[kind] = DEFAULT_ESCALATION[kind]
    return rules
