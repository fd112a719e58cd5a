"""The demo's channels.yaml: an escalation policy that applies, and an Apprise example to copy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aligna.channels.policy import escalation_rules
from aligna.db import open_database, session_scope
from aligna.demo import build_demo_project
from aligna.files.service import apply_project, plan_project, validate_project


def test_the_demo_declares_its_escalation_policy(tmp_path: Path) -> None:
    build_demo_project(tmp_path, people=20, seed=7, today=date(2026, 3, 18))
    validation = validate_project(tmp_path)
    assert validation.ok, [str(p) for p in validation.problems]
    assert validation.snapshot is not None
    assert validation.snapshot["apprise_destination"] == {}  # nothing listens in a demo
    engine = open_database(f"sqlite:///{tmp_path / 'aligna.db'}")
    with session_scope(engine) as session:
        apply_project(session, validation, actor="test", message="demo")
    with session_scope(engine) as session:
        assert escalation_rules(session) == {
            "off_track": (3, 2),
            "adverse_signal": (5, 2),
            "overdue_milestone": (5, 2),
            "stale": (5, 2),
        }
    # The commented Apprise example is valid once uncommented: it is a real destination.
    path = tmp_path / "channels.yaml"
    lines = path.read_text().splitlines()
    start = lines.index("# apprise:")
    path.write_text("\n".join([*lines[:start], *(line[2:] for line in lines[start:])]) + "\n")
    with session_scope(engine) as session:
        plan = plan_project(session, validate_project(tmp_path))
    assert [(c.kind, c.action.value) for c in plan.all()] == [("apprise_destination", "add")]
    engine.dispose()
