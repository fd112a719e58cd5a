"""Helpers shared by tests: copying example projects and dumping a whole database."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from aligna.model import Base

TEMPLATES = Path(__file__).parents[1] / "src" / "aligna" / "files" / "templates"


def copy_template(target: Path) -> Path:
    """A fresh copy of the `aligna init` example project."""
    shutil.copytree(TEMPLATES, target)
    return target


def dump_database(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every aligna table, sorted, to compare whole databases."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file, failing loudly when it is not there."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
