"""The project-file workflow: validate, plan, apply and export, each a plain function."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from aligna.files.apply import ApplyResult, apply_plan
from aligna.files.canonical import Snapshot, project_snapshot
from aligna.files.checks import check_project
from aligna.files.export import write_project
from aligna.files.index import Index
from aligna.files.load import read_project
from aligna.files.plan import Plan, make_plan
from aligna.files.problems import Problems
from aligna.files.snapshot import database_snapshot, read_keys

Progress = Callable[[str], None]


def _quiet(_stage: str) -> None:
    return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building 100,000s of objects.

    Loading a large project allocates millions of small objects that live on; the collector
    would rescan all of them again and again (measured: half of the time of validating the
    100,000-person demo). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Validation:
    """The result of validating a project folder: its problems and, when valid, its records."""

    problems: Problems
    snapshot: Snapshot | None

    @property
    def ok(self) -> bool:
        """Whether the project has no errors (warnings allowed)."""
        return not self.problems.errors


def validate_project(root: Path, progress: Progress = _quiet) -> Validation:
    """Read and check every file of a project folder, reporting all problems at once."""
    with gc_paused():
        return _validate(root, progress)


def _validate(root: Path, progress: Progress) -> Validation:
    problems = Problems()
    progress("reading files")
    project = read_project(root, problems)
    progress("checking references")
    index = Index(project, problems).build()
    check_project(index)
    snapshot = None if problems.errors else project_snapshot(project)
    # The entities themselves are not kept: the records are all that plan and apply need.
    return Validation(problems, snapshot)


def plan_project(session: Session, validation: Validation, progress: Progress = _quiet) -> Plan:
    """What applying a valid project would change in the database."""
    if validation.snapshot is None:
        raise ValueError("a project with errors cannot be planned")
    progress("reading the database")
    with gc_paused():
        keys = read_keys(session)
        current = database_snapshot(session, keys)
        progress("comparing")
        return make_plan(validation.snapshot, current, keys.archived)


def apply_project(
    session: Session,
    validation: Validation,
    *,
    actor: str,
    message: str,
    source: str = "",
    progress: Progress = _quiet,
) -> tuple[Plan, ApplyResult]:
    """Apply a valid project inside the caller's transaction; audited as one change set."""
    plan = plan_project(session, validation, progress)
    progress("writing")
    with gc_paused():
        result = apply_plan(session, plan, actor=actor, message=message, source=source)
    return plan, result


def export_project(
    session: Session, directory: Path, *, name: str = "", progress: Progress = _quiet
) -> list[str]:
    """Write the database's live entities as project files into a folder."""
    progress("reading the database")
    with gc_paused():
        snapshot = database_snapshot(session)
        progress("writing files")
        return write_project(directory, snapshot, name=name)
