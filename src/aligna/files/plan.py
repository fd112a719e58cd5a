"""The plan: what applying a project would add, change, restore and remove, per kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aligna.files.canonical import KINDS, Record, Snapshot

# Kinds whose removal removes them (they have no history of their own, or keep it otherwise:
# see channel_rows.py); every other kind is archived and its history kept.
REMOVED_NOT_ARCHIVED = frozenset(
    {"foundation", "scorecard", "business_scorecard", "escalation_rule", "apprise_destination"}
)


class Action(StrEnum):
    """What happens to one entity."""

    add = "add"
    change = "change"
    restore = "restore"
    remove = "remove"


@dataclass(frozen=True)
class Change:
    """One entity's change, with its record before and after and the fields that differ."""

    kind: str
    key: str
    action: Action
    before: Record | None
    after: Record | None
    fields: tuple[str, ...] = ()


@dataclass
class Plan:
    """Every change, grouped by kind in the order apply writes them."""

    changes: dict[str, list[Change]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def all(self) -> list[Change]:
        """Every change in apply order."""
        return [change for kind in KINDS for change in self.changes[kind]]

    def count(self, kind: str, action: Action) -> int:
        """How many entities of a kind get an action."""
        return sum(1 for c in self.changes[kind] if c.action is action)

    @property
    def empty(self) -> bool:
        """Whether applying would change nothing."""
        return not any(self.changes.values())


def make_plan(
    wanted: Snapshot, current: Snapshot, archived: dict[str, set[str]] | None = None
) -> Plan:
    """Compare what the files declare with what the database holds."""
    archived = archived or {}
    plan = Plan()
    for kind in KINDS:
        have = current.get(kind, {})
        want = wanted.get(kind, {})
        changes = plan.changes[kind]
        for key, after in want.items():
            before = have.get(key)
            if before is None:
                action = Action.restore if key in archived.get(kind, set()) else Action.add
                changes.append(Change(kind, key, action, None, after, tuple(after)))
            elif before != after:
                changes.append(
                    Change(kind, key, Action.change, before, after, changed_fields(before, after))
                )
        for key, before in have.items():
            if key not in want:
                changes.append(Change(kind, key, Action.remove, before, None))
    return plan


def changed_fields(before: Record, after: Record) -> tuple[str, ...]:
    """The top-level fields whose values differ between two records."""
    names: list[str] = []
    for name in [*before, *(k for k in after if k not in before)]:
        if before.get(name) != after.get(name):
            names.append(name)
    return tuple(names)


def describe_value(value: Any, limit: int = 60) -> str:
    """A short one-line rendering of a field value, for plan tables."""
    if value is None:
        text = "-"
    elif isinstance(value, list):
        text = f"[{len(value)} items]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {describe_value(v, 20)}" for k, v in value.items()) + "}"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
