"""The bad-input corpus: every broken project folder reports exactly its expected problems.

Each folder under tests/data/broken/ is a copy of tests/data/valid/ with one defect (or, for the
`many-` folders, many defects across files), and an expected.txt holding the exact problem
lines, `file:line:column: field: message`, in the order the validator reports them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aligna.cli import app
from aligna.files.service import validate_project

DATA = Path(__file__).parents[1] / "data"
VALID = DATA / "valid"
BROKEN = sorted(path for path in (DATA / "broken").iterdir() if path.is_dir())
WARNING_ONLY = DATA / "broken" / "34-six-scorecard-items"


def expected_lines(folder: Path) -> list[str]:
    """The problem lines a broken folder must report, one per line of its expected.txt."""
    text = (folder / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def test_the_corpus_is_complete() -> None:
    assert len(BROKEN) >= 34
    assert sum(1 for folder in BROKEN if len(expected_lines(folder)) >= 5) >= 3
    for folder in BROKEN:
        assert expected_lines(folder), f"{folder.name} expects no problem"


def test_the_valid_project_has_no_problems() -> None:
    validation = validate_project(VALID)
    assert [str(problem) for problem in validation.problems] == []
    assert validation.ok and validation.snapshot is not None


@pytest.mark.parametrize("folder", BROKEN, ids=[folder.name for folder in BROKEN])
def test_a_broken_folder_reports_exactly_its_problems(folder: Path) -> None:
    validation = validate_project(folder)
    assert [str(problem) for problem in validation.problems] == expected_lines(folder)


def test_the_command_fails_on_errors_and_prints_every_problem() -> None:
    folder = DATA / "broken" / "51-many-strategy"
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    printed = result.output.splitlines()
    for line in expected_lines(folder):
        assert line in printed


def test_the_command_passes_a_warning_unless_strict() -> None:
    (line,) = expected_lines(WARNING_ONLY)
    assert ": warning: " in line
    result = CliRunner().invoke(app, ["validate", str(WARNING_ONLY)])
    assert result.exit_code == 0, result.output
    assert line in result.output.splitlines()
    strict = CliRunner().invoke(app, ["validate", "--strict", str(WARNING_ONLY)])
    assert strict.exit_code == 1, strict.output
    assert line in strict.output.splitlines()
