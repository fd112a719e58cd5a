"""Reading YAML and CSV while keeping the line and column of every value."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from aligna.files.problems import Problems


@dataclass(slots=True)
class Where:
    """Where an entity sits in its file, able to locate any field inside it."""

    file: str
    line: int
    column: int
    path: str
    node: Any = None
    row: CsvRow | None = None

    def of(self, *keys: str | int) -> tuple[int, int]:
        """Line and column (1-based) of a field inside this entity, or of the entity itself."""
        if self.row is not None:
            if not keys:
                return self.line, self.column
            return self.line, self.row.columns.get(str(keys[0]), self.column)
        return locate(self.node, keys, (self.line, self.column))

    def field(self, *keys: str | int) -> str:
        """The dotted name of a field inside this entity, as shown in messages."""
        if self.row is not None:
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


# What read_yaml returns for a file it could not parse (None is an empty file).
UNREADABLE: Any = object()


class _Constructor(RoundTripConstructor):
    """Round-trip construction, except that an impossible date (2026-02-30) stays text."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # the schema then reports it, at its place, as not a date
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def read_yaml(path: Path, name: str, problems: Problems) -> Any:
    """Parse one YAML file with positions; a syntax error becomes a problem, not a traceback."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    text = read_text(path, name, problems, "utf-8")
    if text is None:
        return UNREADABLE
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        line, column, message = yaml_problem(exc)
        problems.add(name, line, column, "yaml", message)
    except YAMLError as exc:
        problems.add(name, 1, 1, "yaml", f"{exc}, expected valid YAML")
    return UNREADABLE


def read_text(path: Path, name: str, problems: Problems, encoding: str) -> str | None:
    """A file's text; bytes that are not UTF-8 become a problem at the first bad character."""
    data = path.read_bytes()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        problems.add(
            name,
            line,
            column,
            "file",
            f"is not UTF-8 text here (byte 0x{data[exc.start]:02x}, {exc.reason}), expected a "
            "file saved as UTF-8",
        )
        return None


def yaml_problem(exc: MarkedYAMLError) -> tuple[int, int, str]:
    """A YAML syntax error in plain words, at the place to fix (1-based line and column)."""
    problem = str(exc.problem or "")
    context = str(exc.context or "")
    found, start = exc.problem_mark or exc.context_mark, exc.context_mark or exc.problem_mark
    line, column = (found.line + 1, found.column + 1) if found else (1, 1)
    opening = (start.line + 1, start.column + 1) if start else (1, 1)
    at = f"line {opening[0]}, column {opening[1]}"
    here = f"line {line}, column {column}"
    duplicate = re.match(r'found duplicate key "(.*)" with value', problem)
    if duplicate:
        message = f"duplicate key '{duplicate[1]}' in the mapping at {at}, expected each key once"
        return line, column, message
    if problem.startswith("mapping values are not allowed"):
        message = (
            "a ':' is not allowed here, expected this line indented like the lines around it, "
            "or a value holding ': ' in quotes"
        )
        return line, column, message
    if problem.startswith("expected <block end>"):
        message = (
            f"this line is indented differently, expected the indentation of the block at {at}"
        )
        return line, column, message
    if "'\\t'" in problem:
        message = "a tab character, expected spaces (YAML does not allow tabs for indentation)"
        return line, column, message
    for bracket, closing, construct in (("[", "]", "flow sequence"), ("{", "}", "flow mapping")):
        if construct in context and problem.startswith("expected ','"):
            message = f"this '{bracket}' is not closed, expected a '{closing}' before {here}"
            return *opening, message
    if "quoted scalar" in context and "end of stream" in problem:
        return *opening, "this quote is not closed, expected a closing quote before the file ends"
    where = f" ({context} at {at})" if context else ""
    return line, column, f"{problem}{where}, expected valid YAML"


@dataclass(slots=True)
class CsvRow:
    """A CSV row as a mapping of column to cell, with its line; cell columns on demand."""

    values: dict[str, str]
    line: int
    raw: str
    complete: bool = True  # False: the row has the wrong number of cells and was reported

    @property
    def columns(self) -> dict[str, int]:
        """The 1-based character column where each cell starts (only needed for problems)."""
        offsets = cell_columns(self.raw)
        return {
            column: offsets[i] if i < len(offsets) else 1 for i, column in enumerate(self.values)
        }


def read_csv(
    path: Path, name: str, expected: tuple[str, ...], required: tuple[str, ...], problems: Problems
) -> list[CsvRow] | None:
    """Read a CSV file with a header; every cell keeps the line and column it came from.

    None when the file cannot be read as a whole (encoding, header, CSV syntax).
    """
    text = read_text(path, name, problems, "utf-8-sig")
    if text is None:
        return None
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(name, 1, 1, "header", f"{exc}, expected a CSV header line")
        return None
    if header is None:
        problems.add(
            name, 1, 1, "header", f"file is empty, expected the header {','.join(expected)}"
        )
        return None
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
        return None
    rows: list[CsvRow] = []
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):  # a quote opened and never closed
                line = previous + 1
                column = _open_quote(lines[line - 1] if line - 1 < len(lines) else "")
                message = "this quote is not closed, expected a closing '\"' before the file ends"
                problems.add(name, line, column, "row", message)
            else:
                problems.add(name, reader.line_num, 1, "row", f"{exc}, expected a valid CSV row")
            return None
        line = previous + 1
        previous = reader.line_num
        if not "".join(cells).strip():
            continue  # blank lines are allowed
        raw = lines[line - 1] if line - 1 < len(lines) else ""
        complete = len(cells) == len(header)
        if not complete:
            hint = ""
            if len(cells) > len(header):
                hint = "; a cell holding a comma goes in double quotes"
            problems.add(
                name,
                line,
                1,
                "row",
                f"has {len(cells)} cells, expected {len(header)} ({','.join(header)}){hint}",
            )
        rows.append(
            CsvRow(dict(zip(header, map(str.strip, cells), strict=False)), line, raw, complete)
        )
    return rows


def _open_quote(raw: str) -> int:
    """The 1-based column of the quote a CSV line leaves open (1 when none)."""
    opened = 0
    for index, char in enumerate(raw):
        if char == '"':
            opened = 0 if opened else index + 1
    return opened or 1


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
