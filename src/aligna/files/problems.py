"""Problems found in a project folder, each located at file:line:column with its field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """Errors stop an apply; warnings are printed and pass unless --strict."""

    error = "error"
    warning = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where it is, which field, what is wrong and what was expected."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = Severity.error

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.warning else ""
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {prefix}{self.message}"


@dataclass
class Problems:
    """Every problem of a project folder, collected so that all are reported at once."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        file: str,
        line: int,
        column: int,
        field_name: str,
        message: str,
        severity: Severity = Severity.error,
    ) -> None:
        """Record one problem; its message is kept to one line, as every problem is a line."""
        text = " ".join(message.split())
        self.items.append(Problem(file, line, column, field_name, text, severity))

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(set(self.items), key=_order))

    @property
    def errors(self) -> list[Problem]:
        """The problems that block an apply."""
        return [p for p in self if p.severity is Severity.error]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are only reported."""
        return [p for p in self if p.severity is Severity.warning]


def _order(problem: Problem) -> tuple[str, int, int, str, str]:
    return (problem.file, problem.line, problem.column, problem.field, problem.message)
