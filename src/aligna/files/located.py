"""Reading YAML and CSV while keeping the line and column of every value."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from aligna.files.problems import Problems


@dataclass
class Where:
    """Where an entity sits in its file, able to locate any field inside it."""

    file: str
    line: int
    column: int
    path: str
    node: Any = None
    columns: dict[str, int] = field(default_factory=dict)

    def of(self, *keys: str | int) -> tuple[int, int]:
        """Line and column (1-based) of a field inside this entity, or of the entity itself."""
        if self.columns:
            return self.line, self.columns.get(str(keys[0]), self.column) if keys else self.column
        return locate(self.node, keys, (self.line, self.column))

    def field(self, *keys: str | int) -> str:
        """The dotted name of a field inside this entity, as shown in messages."""
        if self.columns:
            return str(keys[0]) if keys else self.path
        return join_path(self.path, keys)


def join_path(base: str, keys: tuple[str | int, ...] | list[str | int]) -> str:
    """kpis[3] + (target, red_flag) -> kpis[3].target.red_flag."""
    text = base
    for key in keys:
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
    return text


def locate(node: Any, keys: tuple[str | int, ...] | list[str | int], default: tuple[int, int]):
    """The 1-based line and column of the deepest node a path reaches."""
    where = default
    for key in keys:
        if isinstance(node, CommentedMap) and key in node:
            line, column = node.lc.value(key)
            where = (line + 1, column + 1)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line, column = node.lc.item(key)
            where = (line + 1, column + 1)
            node = node[key]
        else:
            break
    return where


def key_position(node: Any, key: str) -> tuple[int, int] | None:
    """The 1-based position of a mapping's key (for unknown fields)."""
    if isinstance(node, CommentedMap) and key in node:
        line, column = node.lc.key(key)
        return line + 1, column + 1
    return None


def node_position(node: Any) -> tuple[int, int]:
    """The 1-based position where a mapping or sequence starts."""
    if isinstance(node, CommentedMap | CommentedSeq):
        return node.lc.line + 1, node.lc.col + 1
    return 1, 1


def read_yaml(path: Path, name: str, problems: Problems) -> Any:
    """Parse one YAML file with positions; a syntax error becomes a problem, not a traceback."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(name, 1, 1, "file", f"is not UTF-8 text ({exc.reason}), expected UTF-8")
        return None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        problems.add(name, line, column, "yaml", f"{what}, expected valid YAML")
    except YAMLError as exc:
        problems.add(name, 1, 1, "yaml", f"{exc}, expected valid YAML")
    return None


@dataclass
class CsvRow:
    """A CSV row as a mapping of column to cell, with its line and cell columns."""

    values: dict[str, str]
    line: int
    columns: dict[str, int]


def read_csv(
    path: Path, name: str, expected: tuple[str, ...], required: tuple[str, ...], problems: Problems
) -> list[CsvRow]:
    """Read a CSV file with a header; every cell keeps the line and column it came from."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(name, 1, 1, "file", f"is not UTF-8 text ({exc.reason}), expected UTF-8")
        return []
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(name, 1, 1, "header", f"{exc}, expected a CSV header line")
        return []
    if header is None:
        problems.add(
            name, 1, 1, "header", f"file is empty, expected the header {','.join(expected)}"
        )
        return []
    header = [cell.strip() for cell in header]
    offsets = cell_columns(lines[0] if lines else "")
    bad = False
    for index, column in enumerate(header):
        if column not in expected:
            problems.add(
                name,
                1,
                offsets[index] if index < len(offsets) else 1,
                column or "header",
                f"unknown column '{column}', expected columns {', '.join(expected)}",
            )
            bad = True
    seen: set[str] = set()
    for index, column in enumerate(header):
        if column in seen:
            problems.add(name, 1, offsets[index], column, "duplicate column, expected each once")
            bad = True
        seen.add(column)
    for column in required:
        if column not in header:
            problems.add(
                name,
                1,
                1,
                "header",
                f"missing column '{column}', expected columns {', '.join(expected)}",
            )
            bad = True
    if bad:
        return []
    rows: list[CsvRow] = []
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(name, reader.line_num, 1, "row", f"{exc}, expected a valid CSV row")
            break
        line = previous + 1
        previous = reader.line_num
        if not cells or all(not cell.strip() for cell in cells):
            continue  # blank lines are allowed
        raw = lines[line - 1] if line - 1 < len(lines) else ""
        cell_offsets = cell_columns(raw)
        if len(cells) != len(header):
            problems.add(
                name,
                line,
                1,
                "row",
                f"has {len(cells)} cells, expected {len(header)} ({','.join(header)})",
            )
            continue
        rows.append(
            CsvRow(
                values={column: cells[i].strip() for i, column in enumerate(header)},
                line=line,
                columns={
                    column: cell_offsets[i] if i < len(cell_offsets) else 1
                    for i, column in enumerate(header)
                },
            )
        )
    return rows


def cell_columns(raw: str) -> list[int]:
    """The 1-based character column where each cell of one CSV line starts."""
    starts = [1]
    quoted = False
    for index, char in enumerate(raw):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(index + 2)
    return starts
