"""The errors of measuring: each one a sentence fit to store on a KPI and show to people."""

from __future__ import annotations


class MeasureError(Exception):
    """A KPI could not be measured; the message says why, in words a data person can act on."""


class SecretError(MeasureError):
    """A connection refers to an environment variable that is not set."""


class UnsafeQueryError(MeasureError):
    """A KPI query is not a single read-only SELECT, so it is never sent to the warehouse."""


class WarehouseError(MeasureError):
    """The warehouse could not be opened or refused the query."""


class QueryTimeout(WarehouseError):
    """The query ran past its connection's statement timeout and was stopped."""


class ContractError(MeasureError):
    """The rows a query returned break the query contract (columns, periods, values, units)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(describe_problems(problems))


class RefreshError(Exception):
    """A refresh cannot start: an unknown KPI or connection, or a manual KPI asked for by name."""


MAX_LISTED = 10


def describe_problems(problems: list[str]) -> str:
    """The problems one per line, the first ten of them, then how many more there are."""
    shown = problems[:MAX_LISTED]
    more = len(problems) - len(shown)
    if more:
        shown = [*shown, f"... and {more} more {'problem' if more == 1 else 'problems'}"]
    return "\n".join(shown)
