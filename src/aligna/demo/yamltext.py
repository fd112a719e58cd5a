"""A small YAML writer for the demo files: block style, flow mappings for short records,
literal blocks for SQL and statements, and comments, all in a fixed, readable layout."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import numpy as np

PLAIN = re.compile(r"[A-Za-z(][A-Za-z0-9 _./%&'()+-]*")
PLAIN_IN_BLOCK = re.compile(r"[A-Za-z(][A-Za-z0-9 _./%&'()+,-]*")  # commas only end flow values
PERIOD = re.compile(r"\d{4}-(\d{2}|Q[1-4]|W\d{2})")  # month, quarter, week: read back as text
RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


class Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line: {period: 2026-03, value: 88}."""


class Literal(str):
    """Text written as a literal block (|), line breaks kept: SQL, statements."""

    __slots__ = ()


class Comment(str):
    """A comment line among the items of a list."""

    __slots__ = ()


def scalar(value: Any, block: bool = False) -> str:
    """One value as YAML reads it back: numbers, booleans, dates, and quoted text if needed."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(value, trim="-")  # never 1e-05: YAML 1.1 reads text
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    plain = (PLAIN_IN_BLOCK if block else PLAIN).fullmatch(text) or PERIOD.fullmatch(text)
    if plain and text.lower() not in RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted one


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _is_inline(value: Any) -> bool:
    if isinstance(value, Flow):
        return True
    return isinstance(value, list) and all(not isinstance(v, dict | list | Literal) for v in value)


def _literal(text: str, indent: int) -> list[str]:
    """A literal block: the indicator, then the text's lines indented."""
    pad = " " * indent
    chomp = "" if text.endswith("\n") else "-"
    return [f"|{chomp}", *[(pad + line) if line else "" for line in text.rstrip("\n").split("\n")]]


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    """A block mapping, one key per line, nested values indented."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, Literal):
            head, *body = _literal(value, indent + 2)
            lines.append(f"{pad}{key}: {head}")
            lines.extend(body)
        elif _is_inline(value):
            lines.append(f"{pad}{key}: {_flow(value)}")
        elif isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.extend(_mapping(value, indent + 2))
        elif isinstance(value, list):
            lines.append(f"{pad}{key}:")
            lines.extend(_sequence(value, indent + 2, spaced=False))
        else:
            lines.append(f"{pad}{key}: {scalar(value, block=True)}")
    return lines


def _sequence(items: list[Any], indent: int, spaced: bool) -> list[str]:
    """A block sequence; comments and (when spaced) blank lines between items."""
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, Comment):
            if spaced and lines:
                lines.append("")
            lines.append(f"{pad}# {item}" if item else f"{pad}#")
            continue
        if spaced and lines and not lines[-1].lstrip().startswith("#"):
            lines.append("")
        if isinstance(item, Flow) or not isinstance(item, dict):
            lines.append(f"{pad}- {_flow(item)}")
            continue
        body = _mapping(item, indent + 2)
        lines.append(f"{pad}- {body[0].lstrip()}")
        lines.extend(body[1:])
    return lines


def document(header: str, key: str | None, body: Any) -> str:
    """A whole file: the header as comments, then one top-level key (or a mapping)."""
    lines = [f"# {line}".rstrip() for line in header.strip("\n").split("\n")]
    lines.append("")
    if key is None:
        lines.extend(_mapping(body, 0))
    else:
        lines.append(f"{key}:")
        lines.extend(_sequence(body, 2, spaced=True))
    return "\n".join(lines) + "\n"
