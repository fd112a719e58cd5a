"""Property-based tests of the loaders: any input gives a valid project or clean problems."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from sqlalchemy import Engine

from aligna.db import session_scope
from aligna.files.service import apply_project, export_project, plan_project, validate_project
from helpers import TEMPLATES, dump_database

FILES = sorted(p.name for p in TEMPLATES.iterdir())
PROBLEM = re.compile(r"^[^:\n]+:\d+:\d+: [^\n]*: .+$")
WORDS = [
    "id",
    "name",
    "owner",
    "unit",
    "kpi",
    "kpis",
    "polarity",
    "frequency",
    "aggregation",
    "source",
    "manual",
    "target",
    "value",
    "by",
    "baseline",
    "red_flag",
    "offset",
    "weight",
    "objectives",
    "objective",
    "parent",
    "p-ada",
    "p-ines",
    "sales",
    "example-co",
    "month",
    "higher_is_better",
    "within_range",
    "band",
    "lo",
    "hi",
    "2026-03",
    "2026-W09",
    "-10%",
    "milestones",
    "due",
    "start",
    "end",
    "2026-01-01",
    "influencers",
    "person",
    "lateral",
    "vision",
    "targets",
    "mission",
    "values",
    "connections",
    "url",
    "processes",
    "initiatives",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(WORDS), children, max_size=5),
    ),
    max_leaves=25,
)


def _yaml_text(document: object) -> str:
    import io

    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(document, stream)
    return stream.getvalue()


csv_cells = st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.just(""))
csv_text = st.builds(
    lambda header, rows: "\n".join(",".join(r) for r in [header, *rows]) + "\n",
    st.lists(
        st.sampled_from([*WORDS, "email", "teams", "role", "item", "kind"]), min_size=1, max_size=7
    ),
    st.lists(st.lists(csv_cells, max_size=8), max_size=5),
)
contents = st.one_of(
    st.text(max_size=200), structures.map(_yaml_text), csv_text, st.binary(max_size=60)
)


@settings(max_examples=150, deadline=None)
@given(file=st.sampled_from(FILES), content=contents)
def test_any_file_content_gives_problems_never_a_traceback(file: str, content: object) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "project"
        shutil.copytree(TEMPLATES, folder)
        path = folder / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        validation = validate_project(folder)
        for problem in validation.problems:
            assert PROBLEM.match(str(problem)), str(problem)
            assert problem.line >= 1 and problem.column >= 1
        assert (validation.snapshot is not None) == validation.ok


def _mutate(folder: Path, data: st.DataObject) -> None:
    """Change one line of one file: replace a value, drop the line, or repeat it."""
    file = data.draw(st.sampled_from([f for f in FILES if f != "aligna.toml"]))
    path = folder / file
    lines = path.read_text().splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1))
    operation = data.draw(st.sampled_from(["replace", "drop", "repeat"]))
    line = lines[index]
    if operation == "drop":
        del lines[index]
    elif operation == "repeat":
        lines.insert(index, line)
    else:
        separator = ":" if file.endswith(".yaml") else ","
        head, _, _ = line.partition(separator)
        new = data.draw(
            st.one_of(
                st.sampled_from(WORDS),
                st.integers(-5, 5).map(str),
                st.text(alphabet="abc-_0123 %", max_size=6),
            )
        )
        lines[index] = f"{head}{separator} {new}\n" if separator == ":" else f"{head},{new}\n"
    path.write_text("".join(lines))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_edits_either_apply_cleanly_or_change_nothing(engine: Engine, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary) / "base"
        shutil.copytree(TEMPLATES, base)
        with session_scope(engine) as session:
            apply_project(session, validate_project(base), actor="t", message="baseline")
        before = dump_database(engine)
        edited = Path(temporary) / "edited"
        shutil.copytree(TEMPLATES, edited)
        _mutate(edited, data)
        validation = validate_project(edited)
        if not validation.ok:
            assert dump_database(engine) == before
            return
        with session_scope(engine) as session:
            apply_project(session, validation, actor="t", message="edit")
        # What was applied is what the database now holds: nothing left to plan, and its
        # export reads back as a valid project that plans nothing either.
        with session_scope(engine) as session:
            assert plan_project(session, validation).empty
            export_project(session, Path(temporary) / "exported")
        exported = validate_project(Path(temporary) / "exported")
        assert exported.ok, [str(p) for p in exported.problems]
        with session_scope(engine) as session:
            assert plan_project(session, exported).empty
