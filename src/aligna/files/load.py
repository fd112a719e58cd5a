"""Reading a project folder into typed entities, each with where it came from."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aligna.files.channels import (
    ESCALATION_KINDS,
    SECTIONS,
    AppriseModel,
    EscalationModel,
    EscalationRuleRecord,
)
from aligna.files.errors import add_validation_errors
from aligna.files.located import UNREADABLE, CsvRow, Where, node_position, read_csv, read_yaml
from aligna.files.problems import Problems
from aligna.files.schema import (
    CSV_COLUMNS,
    BusinessScorecardRow,
    ConnectionModel,
    FoundationFile,
    InitiativeModel,
    KpiModel,
    ObjectiveModel,
    PersonRow,
    ProcessModel,
    ScorecardRow,
    UnitRow,
    ValueModel,
    VisionTargetModel,
)
from aligna.settings import SETTINGS_FILE, SettingsError, read_settings_file

M = TypeVar("M", bound=BaseModel)
TOML_POSITION = re.compile(r" \(at line (\d+), column (\d+)\)$")

# YAML kinds kept as a list under one top-level key: file stem -> model.
LIST_FILES: dict[str, type[BaseModel]] = {
    "connections": ConnectionModel,
    "processes": ProcessModel,
    "objectives": ObjectiveModel,
    "kpis": KpiModel,
    "initiatives": InitiativeModel,
}
CSV_FILES: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "units": (UnitRow, ("id", "name", "kind")),
    "people": (PersonRow, ("id", "name", "email", "unit")),
    "scorecards": (ScorecardRow, ("person", "kind", "item", "role")),
    "business_scorecards": (BusinessScorecardRow, ("unit", "kpi")),
}


@dataclass(slots=True)
class Entry(Generic[M]):
    """One valid entity and where it is written."""

    model: M
    where: Where


@dataclass
class Project:
    """Everything a project folder declares, as valid entities, plus the ids seen at all."""

    root: Path
    foundation: FoundationFile = field(default_factory=FoundationFile)
    foundation_where: Where | None = None
    values: list[Entry[ValueModel]] = field(default_factory=list)
    vision_targets: list[Entry[VisionTargetModel]] = field(default_factory=list)
    connections: list[Entry[ConnectionModel]] = field(default_factory=list)
    processes: list[Entry[ProcessModel]] = field(default_factory=list)
    objectives: list[Entry[ObjectiveModel]] = field(default_factory=list)
    kpis: list[Entry[KpiModel]] = field(default_factory=list)
    initiatives: list[Entry[InitiativeModel]] = field(default_factory=list)
    units: list[Entry[UnitRow]] = field(default_factory=list)
    people: list[Entry[PersonRow]] = field(default_factory=list)
    scorecards: list[Entry[ScorecardRow]] = field(default_factory=list)
    business_scorecards: list[Entry[BusinessScorecardRow]] = field(default_factory=list)
    escalation: list[Entry[EscalationRuleRecord]] = field(default_factory=list)
    destinations: list[Entry[AppriseModel]] = field(default_factory=list)
    # Ids written in the files even where their entity is invalid: references to them are not
    # reported again as unknown, so one mistake gives one message.
    seen_ids: dict[str, set[str]] = field(default_factory=dict)
    # Kinds with a file that could not be read at all: references to them are not checked,
    # so one unreadable file gives one message, not one per reference.
    unreadable: set[str] = field(default_factory=set)

    def seen(self, kind: str, identifier: Any) -> None:
        """Remember an id written for a kind."""
        if isinstance(identifier, str):
            self.seen_ids.setdefault(kind, set()).add(identifier)


def read_project(root: Path, problems: Problems) -> Project:
    """Read every file of a project folder; problems collects all that is wrong."""
    project = Project(root=root)
    if not root.is_dir():
        problems.add(str(root), 1, 1, "folder", "does not exist, expected a project folder")
        return project
    if not (root / SETTINGS_FILE).is_file():
        problems.add(SETTINGS_FILE, 1, 1, "file", "missing, expected aligna.toml in the folder")
    else:
        try:
            read_settings_file(root)
        except SettingsError as exc:
            message = str(exc).split(": ", 1)[-1]
            syntax = TOML_POSITION.search(message)
            if syntax:  # a TOML syntax error: at its place
                line, column = int(syntax[1]), int(syntax[2])
                what, expected = message[: syntax.start()], "valid TOML"
                if what == "Illegal character '\\n'":
                    what, expected = "the line ends inside a string", "a closing quote"
                problems.add(SETTINGS_FILE, line, column, "toml", f"{what}, expected {expected}")
            else:
                problems.add(SETTINGS_FILE, 1, 1, "project", message)
    _read_foundation(root, project, problems)
    for stem, model in LIST_FILES.items():
        for path, name in _yaml_files(root, stem):
            _read_list_file(path, name, stem, model, project, problems)
    for stem, (model, required) in CSV_FILES.items():
        path = root / f"{stem}.csv"
        if path.is_file():
            _read_csv_file(path, f"{stem}.csv", stem, model, required, project, problems)
    _read_channels(root, project, problems)
    return project


def _yaml_files(root: Path, stem: str) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for suffix in (".yaml", ".yml"):
        if (root / f"{stem}{suffix}").is_file():
            found.append((root / f"{stem}{suffix}", f"{stem}{suffix}"))
    folder = root / stem
    if folder.is_dir():
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            found.append((path, f"{stem}/{path.name}"))
    return found


def _read_foundation(root: Path, project: Project, problems: Problems) -> None:
    path = next((p for p, _ in _yaml_files(root, "foundation")), None)
    if path is None:
        return
    name = path.relative_to(root).as_posix()
    document = read_yaml(path, name, problems)
    if document is None:
        return
    if document is UNREADABLE or not isinstance(document, CommentedMap):
        project.unreadable.update(("vision_target", "value"))
        if document is not UNREADABLE:
            line, column = node_position(document)
            problems.add(
                name,
                line,
                column,
                "foundation",
                "is not a mapping, expected mission, vision, values",
            )
        return
    where = Where(name, 1, 1, "", document)
    # Lists are validated item by item, so one bad value or target does not hide the others.
    vision = document.get("vision")
    targets = vision.get("targets") if isinstance(vision, CommentedMap) else None
    values = document.get("values")
    shallow = {k: v for k, v in document.items() if k != "values"}
    if isinstance(vision, CommentedMap):
        shallow["vision"] = {k: v for k, v in vision.items() if k != "targets"}
    try:
        project.foundation = FoundationFile.model_validate(shallow)
        project.foundation_where = where
    except ValidationError as exc:
        add_validation_errors(problems, where, exc, FoundationFile)
    project.values = _read_items(
        values, name, "values", ValueModel, "value", project, problems, (document, "values")
    )
    if isinstance(vision, CommentedMap):
        project.vision_targets = _read_items(
            targets,
            name,
            "vision.targets",
            VisionTargetModel,
            "vision_target",
            project,
            problems,
            (vision, "targets"),
        )


def _read_channels(root: Path, project: Project, problems: Problems) -> None:
    """channels.yaml: the escalation policy (a mapping by kind) and the Apprise destinations."""
    path = next((root / n for n in ("channels.yaml", "channels.yml") if (root / n).is_file()), None)
    if path is None:
        return
    name = path.name
    document = read_yaml(path, name, problems)
    if document is None or document is UNREADABLE:
        return
    expected = "a mapping with escalation and apprise"
    if not isinstance(document, CommentedMap):
        line, column = node_position(document)
        problems.add(name, line, column, "channels", f"is not a mapping, expected {expected}")
        return
    for key in document:
        if key not in SECTIONS:
            line, column = document.lc.key(key)
            problems.add(
                name,
                line + 1,
                column + 1,
                str(key),
                "unknown top-level key, expected 'escalation' or 'apprise'",
            )
    escalation = document.get("escalation")
    if escalation is not None and not isinstance(escalation, CommentedMap):
        line, column = document.lc.value("escalation")
        problems.add(
            name,
            line + 1,
            column + 1,
            "escalation",
            "is not a mapping, expected exception kinds, e.g. off_track: {days: 7, levels: 2}",
        )
    elif escalation is not None:
        for kind, value in escalation.items():
            line, column = escalation.lc.key(kind)
            where = Where(name, line + 1, column + 1, f"escalation.{kind}", value)
            if kind not in ESCALATION_KINDS:
                guess = difflib.get_close_matches(str(kind), ESCALATION_KINDS, n=1, cutoff=0.75)
                wanted = f"'{guess[0]}'" if guess else "one of " + ", ".join(ESCALATION_KINDS)
                problems.add(
                    name,
                    line + 1,
                    column + 1,
                    where.path,
                    f"unknown exception kind, expected {wanted}",
                )
                continue
            if not isinstance(value, CommentedMap):
                line, column = escalation.lc.value(kind)
                problems.add(
                    name,
                    line + 1,
                    column + 1,
                    where.path,
                    "is not a mapping, expected {days: 5, levels: 2}",
                )
                continue
            where.line, where.column = node_position(value)
            try:
                rule = EscalationModel.model_validate(dict(value))
            except ValidationError as exc:
                add_validation_errors(problems, where, exc, EscalationModel)
                continue
            record = EscalationRuleRecord(kind=kind, days=rule.days, levels=rule.levels)
            project.escalation.append(Entry(record, where))
    project.destinations = _read_items(
        document.get("apprise"),
        name,
        "apprise",
        AppriseModel,
        "apprise_destination",
        project,
        problems,
        (document, "apprise"),
    )


def _read_list_file(
    path: Path, name: str, stem: str, model: type[BaseModel], project: Project, problems: Problems
) -> None:
    kind = stem.removesuffix("s") if stem != "processes" else "process"
    document = read_yaml(path, name, problems)
    if document is None:
        return
    if document is UNREADABLE or not isinstance(document, CommentedMap):
        project.unreadable.add(kind)
        if document is not UNREADABLE:
            line, column = node_position(document)
            problems.add(
                name,
                line,
                column,
                stem,
                f"is not a mapping, expected a mapping with the key {stem}",
            )
        return
    for key in document:
        if key != stem:
            line, column = document.lc.key(key)
            problems.add(
                name, line + 1, column + 1, str(key), f"unknown top-level key, expected '{stem}'"
            )
    entries = _read_items(
        document.get(stem), name, stem, model, kind, project, problems, (document, stem)
    )
    getattr(project, stem).extend(entries)


def _read_items(
    items: Any,
    name: str,
    path: str,
    model: type[M],
    kind: str,
    project: Project,
    problems: Problems,
    parent: tuple[CommentedMap, str],
) -> list[Entry[M]]:
    if items is None:
        return []
    container, key = parent
    if not isinstance(items, CommentedSeq):
        line, column = container.lc.value(key)
        problems.add(name, line + 1, column + 1, path, "is not a list, expected a list of items")
        return []
    entries: list[Entry[M]] = []
    for index, item in enumerate(items):
        line, column = items.lc.item(index)
        where = Where(name, line + 1, column + 1, f"{path}[{index}]", item)
        if not isinstance(item, CommentedMap):
            problems.add(
                name, line + 1, column + 1, where.path, "is not a mapping, expected fields"
            )
            continue
        where.line, where.column = node_position(item)
        project.seen(kind, item.get("id"))
        try:
            entries.append(Entry(model.model_validate(dict(item)), where))
        except ValidationError as exc:
            add_validation_errors(problems, where, exc, model)
    return entries


def _read_csv_file(
    path: Path,
    name: str,
    stem: str,
    model: type[BaseModel],
    required: tuple[str, ...],
    project: Project,
    problems: Problems,
) -> None:
    rows = read_csv(path, name, CSV_COLUMNS[model], required, problems)
    kind = {"units": "unit", "people": "person"}.get(stem)
    if rows is None:
        if kind:
            project.unreadable.add(kind)
        return
    target = getattr(project, stem)
    complete: list[tuple[CsvRow, Where]] = []
    if kind:
        ids = project.seen_ids.setdefault(kind, set())
        ids.update(i for row in rows if isinstance(i := row.values.get("id"), str))
    for row in rows:
        if row.complete:  # a row with the wrong cell count was reported with it
            complete.append((row, Where(name, row.line, 1, f"{stem}[{row.line}]", None, row)))
    # One validation call for the whole file is several times faster than one per row; rows
    # are validated one by one only to locate errors when there are some.
    adapter = _list_adapter(model)
    try:
        models = adapter.validate_python([row.values for row, _ in complete])
    except ValidationError as exc:
        failed = {error["loc"][0] for error in exc.errors(include_url=False)}
        for index in sorted(failed):
            row, where = complete[index]
            try:
                model.model_validate(row.values)
            except ValidationError as row_error:
                add_validation_errors(problems, where, row_error, model)
        complete = [pair for index, pair in enumerate(complete) if index not in failed]
        models = adapter.validate_python([row.values for row, _ in complete])
    target.extend(Entry(item, where) for item, (_, where) in zip(models, complete, strict=True))


@functools.cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]
