"""Ids of a project by kind, with duplicate detection and reference checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aligna.files.load import Entry, Project
from aligna.files.located import Where
from aligna.files.problems import Problems, Severity

# Where each kind is written, for "expected the id of a ... in FILE" messages.
HOME = {
    "unit": ("unit", "units.csv"),
    "person": ("person", "people.csv"),
    "connection": ("connection", "connections.yaml"),
    "process": ("process", "processes.yaml"),
    "objective": ("objective", "objectives.yaml"),
    "kpi": ("KPI", "kpis.yaml"),
    "initiative": ("initiative", "initiatives.yaml"),
    "vision_target": ("vision target", "foundation.yaml"),
    "value": ("value", "foundation.yaml"),
}


@dataclass
class Index:
    """Valid entities of a project by kind and id (the first one, when an id is repeated)."""

    project: Project
    problems: Problems
    by_kind: dict[str, dict[str, Entry[Any]]] = field(default_factory=dict)

    def build(self) -> Index:
        """Index every kind and report repeated ids."""
        kinds = {
            "unit": self.project.units,
            "person": self.project.people,
            "connection": self.project.connections,
            "process": self.project.processes,
            "objective": self.project.objectives,
            "kpi": self.project.kpis,
            "initiative": self.project.initiatives,
            "vision_target": self.project.vision_targets,
            "value": self.project.values,
        }
        for kind, entries in kinds.items():
            table: dict[str, Entry[Any]] = {}
            for entry in entries:
                identifier = entry.model.id  # type: ignore[attr-defined]
                first = table.get(identifier)
                if first is not None:
                    line, column = entry.where.of("id")
                    self.problems.add(
                        entry.where.file,
                        line,
                        column,
                        entry.where.field("id"),
                        f"duplicate {HOME[kind][0]} id '{identifier}', expected each id once "
                        f"(first at {first.where.file}:{first.where.line})",
                    )
                    continue
                table[identifier] = entry
            self.by_kind[kind] = table
        return self

    def get(self, kind: str, identifier: str | None) -> Entry[Any] | None:
        """The entity of a kind with an id, if it is valid."""
        if identifier is None:
            return None
        return self.by_kind.get(kind, {}).get(identifier)

    def ids(self, kind: str) -> dict[str, Entry[Any]]:
        """Every valid entity of a kind, by id."""
        return self.by_kind.get(kind, {})

    def ref(self, where: Where, keys: tuple[str | int, ...], value: str | None, kind: str) -> bool:
        """Check that a reference names an entity of a kind; report it when not."""
        if value is None:
            return False
        if value in self.by_kind.get(kind, {}):
            return True
        if value in self.project.seen_ids.get(kind, set()):
            return False  # written but invalid: already reported where it is defined
        if kind in self.project.unreadable:
            return False  # its file could not be read: already reported there
        what, home = HOME[kind]
        article = "an" if kind in ("objective", "initiative") else "a"
        line, column = where.of(*keys)
        self.problems.add(
            where.file,
            line,
            column,
            where.field(*keys),
            f"unknown {what} '{value}', expected the id of {article} {what} in {home}",
        )
        return False

    def report(
        self,
        where: Where,
        keys: tuple[str | int, ...],
        message: str,
        severity: Severity = Severity.error,
    ) -> None:
        """Record a problem at a field of an entity."""
        line, column = where.of(*keys)
        self.problems.add(where.file, line, column, where.field(*keys), message, severity)


def find_cycles(parents: dict[str, str | None]) -> list[list[str]]:
    """Every cycle in a parent map, each listed once starting from its smallest id."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in sorted(parents):
        if state.get(start):
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parents and not state.get(node):
            state[node] = 1
            on_path[node] = len(path)
            path.append(node)
            node = parents[node]
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            pivot = cycle.index(min(cycle))
            cycles.append(cycle[pivot:] + cycle[:pivot])
        for visited in path:
            state[visited] = 2
    return cycles
