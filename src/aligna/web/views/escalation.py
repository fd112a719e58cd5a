"""The escalation policy as admins see and edit it: per exception kind, how many days an
unacknowledged exception waits at a level and how many levels it climbs.

Rows of `escalation_rule` are what the project files declare (channels.yaml) or what an admin
set here; `aligna apply` overwrites them with the files' values. Every edit is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligna import model as m

KINDS = ("off_track", "adverse_signal", "overdue_milestone", "stale", "*")
LABELS = {
    "off_track": "Off track",
    "adverse_signal": "Adverse signal",
    "overdue_milestone": "Overdue milestone",
    "stale": "Stale data",
    "*": "Any other kind (*)",
}
DAYS = (1, 365)
LEVELS = (0, 10)


class EscalationEditError(ValueError):
    """An escalation rule that cannot be saved, naming the kind and field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems  # by form field: "off_track.days" -> message


@dataclass(frozen=True)
class RuleRow:
    """One exception kind: the rule that applies, and where it comes from."""

    kind: str
    label: str
    days: int | None
    levels: int | None
    source: str  # "set" (a row of its own), "*" (the default row), "built in", "unknown"

    @property
    def source_words(self) -> str:
        """Where the effective values come from, in words."""
        return {
            "set": "set for this kind",
            "*": "from the rule for any other kind (*)",
            "built in": "aligna's built-in default",
            "unknown": "aligna's built-in default (not known to this page)",
        }[self.source]


def _declared(session: Session) -> dict[str, tuple[int, int]]:
    return {r.exception_kind: (r.days, r.levels) for r in session.scalars(select(m.EscalationRule))}


def _effective(
    session: Session, declared: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]] | None:
    """The policy the escalation job uses, when aligna.channels.policy is there to say it."""
    try:
        from aligna.channels import policy
    except ImportError:  # an aligna without the policy module: only the rows are known
        return None
    rules: Mapping[str, Any] = policy.escalation_rules(session)
    effective = {kind: (int(v[0]), int(v[1])) for kind, v in rules.items()}
    # The job needs no `*` of its own (every kind is resolved), but the page shows it.
    built_in = getattr(policy, "DEFAULT_ESCALATION", {})
    default = declared.get("*") or built_in.get("*")
    if default is not None:
        effective.setdefault("*", (int(default[0]), int(default[1])))
    return effective


def escalation_policy(session: Session) -> list[RuleRow]:
    """Every exception kind and `*`, with the days and levels that apply to it."""
    declared = _declared(session)
    effective = _effective(session, declared)
    known = effective if effective is not None else declared
    rows = []
    for kind in KINDS:
        value = known.get(kind) or (known.get("*") if kind != "*" else None)
        if kind in declared:
            source = "set"
        elif kind != "*" and "*" in declared and declared["*"] == value:
            source = "*"
        else:
            source = "built in" if value is not None else "unknown"
        days, levels = value if value is not None else (None, None)
        rows.append(RuleRow(kind, LABELS[kind], days, levels, source))
    return rows


def _number(text: str | None, low: int, high: int, what: str, kind: str) -> int:
    label = LABELS[kind].lower()
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"{label}: {what} '{text}' is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{label}: {what} must be from {low} to {high}, not {value}")
    return value


def check_rules(values: Mapping[str, tuple[str | None, str | None]]) -> dict[str, tuple[int, int]]:
    """The rules from text (days, levels) per kind; every bad field named, or none saved."""
    problems: dict[str, str] = {}
    checked: dict[str, tuple[int, int]] = {}
    for kind, (days_text, levels_text) in values.items():
        if kind not in KINDS:
            problems[kind] = f"unknown exception kind '{kind}': expected one of {', '.join(KINDS)}"
            continue
        days = levels = None
        try:
            days = _number(days_text, *DAYS, "days", kind)
        except ValueError as exc:
            problems[f"{kind}.days"] = str(exc)
        try:
            levels = _number(levels_text, *LEVELS, "levels", kind)
        except ValueError as exc:
            problems[f"{kind}.levels"] = str(exc)
        if days is not None and levels is not None:
            checked[kind] = (days, levels)
    if problems:
        raise EscalationEditError(problems)
    return checked


def save_rules(
    session: Session, rules: Mapping[str, tuple[int, int]], *, actor: str, now: datetime
) -> int | None:
    """Write the rules that changed, with one audited change set; its id (None: no change).

    A kind without a rule of its own keeps none while the form sends back the values it
    showed, so it goes on following `*` and the defaults.
    """
    declared = _declared(session)
    shown = {r.kind: (r.days, r.levels) for r in escalation_policy(session)}
    changed = {
        kind: rule
        for kind, rule in rules.items()
        if (declared[kind] if kind in declared else shown.get(kind)) != rule
    }
    if not changed:
        return None
    change_set = m.ChangeSet(
        at=now,
        actor=actor,
        message=f"escalation policy edited on the web: {', '.join(sorted(changed))}",
        source="web",
    )
    session.add(change_set)
    session.flush()
    for kind, (days, levels) in changed.items():
        before = declared.get(kind)
        row = session.get(m.EscalationRule, kind)
        if row is None:
            session.add(m.EscalationRule(exception_kind=kind, days=days, levels=levels))
        else:
            row.days, row.levels = days, levels
        session.add(
            m.AuditEntry(
                change_set_id=change_set.id,
                entity_kind="escalation_rule",
                entity_id=kind,
                action="add" if before is None else "change",
                before=None if before is None else {"days": before[0], "levels": before[1]},
                after={"days": days, "levels": levels},
            )
        )
    session.flush()
    return change_set.id
