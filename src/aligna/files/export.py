"""Writing canonical records back as a project folder, byte for byte the same every time."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from aligna.files.canonical import Record, Snapshot
from aligna.files.schema import CSV_COLUMNS, BusinessScorecardRow, PersonRow, ScorecardRow, UnitRow
from aligna.settings import SETTINGS_FILE

HEADER = "# Written by `aligna export`. The format is described in docs/project-files.md.\n"
DATE_FIELDS = {"start", "end", "due"}


def render_files(snapshot: Snapshot) -> dict[str, str]:
    """The text of every project file for a snapshot, by file name."""
    files: dict[str, str] = {}
    foundation = snapshot["foundation"].get("foundation", {})
    document: dict[str, Any] = {}
    if foundation.get("mission"):
        document["mission"] = foundation["mission"]
    vision: dict[str, Any] = {}
    if foundation.get("vision"):
        vision["statement"] = foundation["vision"]
    if foundation.get("horizon") is not None:
        vision["horizon"] = foundation["horizon"]
    targets = _sorted(snapshot["vision_target"])
    if targets:
        vision["targets"] = targets
    if vision:
        document["vision"] = vision
    values = _sorted(snapshot["value"])
    if values:
        document["values"] = values
    if document or snapshot["foundation"]:
        files["foundation.yaml"] = _yaml(document)
    for kind, stem in (
        ("connection", "connections"),
        ("process", "processes"),
        ("objective", "objectives"),
        ("kpi", "kpis"),
        ("initiative", "initiatives"),
    ):
        records = _sorted(snapshot[kind])
        if records:
            files[f"{stem}.yaml"] = _yaml({stem: records})
    units = _tree_order(snapshot["unit"])
    if units:
        files["units.csv"] = _csv(UnitRow, units)
    people = _sorted(snapshot["person"])
    if people:
        rows = [{**p, "teams": ";".join(p.get("teams", []))} for p in people]
        files["people.csv"] = _csv(PersonRow, rows)
    scorecard_rows = [
        {"person": card["person"], **item}
        for card in _sorted(snapshot["scorecard"], "person")
        for item in card["items"]
    ]
    if scorecard_rows:
        files["scorecards.csv"] = _csv(ScorecardRow, scorecard_rows)
    business_rows = [
        {"unit": card["unit"], **item}
        for card in _sorted(snapshot["business_scorecard"], "unit")
        for item in card["items"]
    ]
    if business_rows:
        files["business_scorecards.csv"] = _csv(BusinessScorecardRow, business_rows)
    channels = _channels(snapshot)
    if channels:
        files["channels.yaml"] = _yaml(channels)
    return files


def _channels(snapshot: Snapshot) -> dict[str, Any]:
    """channels.yaml: the escalation rules by kind (`*` first), then the destinations."""
    document: dict[str, Any] = {}
    rules = _sorted(snapshot["escalation_rule"])
    if rules:
        document["escalation"] = {
            r["kind"]: {k: v for k, v in r.items() if k != "kind"} for r in rules
        }
    destinations = _sorted(snapshot["apprise_destination"])
    if destinations:
        document["apprise"] = destinations
    return document


def write_project(directory: Path, snapshot: Snapshot, *, name: str = "") -> list[str]:
    """Write a snapshot as project files into a folder; files of kinds now empty are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    files = render_files(snapshot)
    managed = [
        "foundation.yaml",
        "connections.yaml",
        "processes.yaml",
        "objectives.yaml",
        "kpis.yaml",
        "initiatives.yaml",
        "units.csv",
        "people.csv",
        "scorecards.csv",
        "business_scorecards.csv",
        "channels.yaml",
    ]
    for file_name, text in files.items():
        _write_atomically(directory / file_name, text)
    for file_name in managed:
        if file_name not in files and (directory / file_name).exists():
            (directory / file_name).unlink()
    if not (directory / SETTINGS_FILE).exists():
        title = name.replace('"', "'")
        _write_atomically(
            directory / SETTINGS_FILE,
            f'[project]\nname = "{title}"\ntimezone = "UTC"\ndatabase = "sqlite:///aligna.db"\n',
        )
    return sorted(files)


def _write_atomically(path: Path, text: str) -> None:
    # A crash never leaves a half-written file: write beside it, then rename over it.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sorted(records: dict[str, Record], key: str = "id") -> list[Record]:
    return [records[k] for k in sorted(records)]


def _tree_order(units: dict[str, Record]) -> list[Record]:
    """Units depth-first from the root, siblings by id: parents always come first."""
    children: dict[str | None, list[str]] = {}
    for unit_id, record in units.items():
        children.setdefault(record.get("parent"), []).append(unit_id)
    ordered: list[Record] = []
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        unit_id = stack.pop()
        ordered.append(units[unit_id])
        stack.extend(sorted(children.get(unit_id, []), reverse=True))
    seen = {r["id"] for r in ordered}
    ordered.extend(units[u] for u in sorted(units) if u not in seen)
    return ordered


def _yaml(document: dict[str, Any]) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    stream.write(HEADER)
    yaml.dump(_to_yaml(document), stream)
    return stream.getvalue()


def _flows(value: dict[str, Any]) -> bool:
    """Small leaf mappings read best on one line: {person: p-1, kind: lateral}."""
    if any(
        isinstance(v, dict | list) or (isinstance(v, str) and "\n" in v) for v in value.values()
    ):
        return False
    return sum(len(str(k)) + len(str(v)) + 4 for k, v in value.items()) <= 80


def _to_yaml(value: Any, *, key: str = "") -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _to_yaml(v, key=k)
        if _flows(value):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_to_yaml(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        if key in DATE_FIELDS:
            return date.fromisoformat(value)
        if "\n" in value:
            return LiteralScalarString(value)
    return value


def _csv(model: type, rows: list[Record]) -> str:
    columns = CSV_COLUMNS[model]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return stream.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
