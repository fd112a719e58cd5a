"""channels.yaml and `refresh` schedules: validation with positions, then plan, apply and export
on both databases, with the rows and plans counted by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from aligna import model as m
from aligna.channels.policy import escalation_rules
from aligna.db import session_scope
from aligna.enums import TransportName
from aligna.files.channel_rows import RETIRED
from aligna.files.channels import destination_key
from aligna.files.plan import Action
from aligna.files.service import apply_project, export_project, plan_project, validate_project
from helpers import copy_template, edit

SALES_URL = "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#sales"
ADA_URL = "json://127.0.0.1:8099/aligna?+X-Token=${HOOK_TOKEN}"
SALES_KEY = f"unit:sales {SALES_URL}"
ADA_KEY = f"person:p-ada {ADA_URL}"
CHANNELS = f"""\
escalation:
  "*": {{days: 5, levels: 2}}
  off_track: {{days: 7, levels: 2}}
  overdue_milestone: {{days: 3, levels: 3}}
apprise:
  - unit: sales
    url: "{SALES_URL}"
    description: Sales team channel
    events: [exception_opened, exception_escalated]
  - person: p-ada
    url: "{ADA_URL}"
"""
# What export writes back: rules by kind (`*` first), destinations by key (person before unit).
EXPORTED = f"""\
# Written by `aligna export`. The format is described in docs/project-files.md.
escalation:
  '*': {{days: 5, levels: 2}}
  off_track: {{days: 7, levels: 2}}
  overdue_milestone: {{days: 3, levels: 3}}
apprise:
  - {{person: p-ada, url: '{ADA_URL}'}}
  - unit: sales
    url: {SALES_URL}
    description: Sales team channel
    events: [exception_opened, exception_escalated]
"""


def _project(tmp_path: Path, channels: str | None = CHANNELS) -> Path:
    folder = copy_template(tmp_path / "project")
    if channels is not None:
        (folder / "channels.yaml").write_text(channels)
    return folder


def _problems(folder: Path) -> list[str]:
    return [str(p) for p in validate_project(folder).problems]


def _apply(engine: Engine, folder: Path) -> Any:
    validation = validate_project(folder)
    assert validation.ok, [str(p) for p in validation.problems]
    with session_scope(engine) as session:
        plan, _ = apply_project(session, validation, actor="tester", message="test")
    return plan


def _channel_changes(plan: Any) -> list[tuple[str, str, Action, tuple[str, ...]]]:
    return [
        (c.kind, c.key, c.action, c.fields)
        for c in plan.all()
        if c.kind in ("escalation_rule", "apprise_destination")
    ]


def _destinations(engine: Engine) -> list[tuple[Any, ...]]:
    d = m.AppriseDestination
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                d.id, d.person_id, d.unit_id, d.url, d.description, d.events, d.position
            ).order_by(d.id)
        ).all()
    return [tuple(row) for row in rows]


# --- validation ------------------------------------------------------------------------------


def test_shape_errors_name_the_line_the_field_and_what_was_expected(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        """\
escalation:
  "*": {days: 0, levels: 2}
  offtrack: {days: 7, levels: 2}
  stale: {days: 7.5, levels: 11}
  overdue_milestone: 3
  adverse_signal: {days: 2}
apprise:
  - unit: sales
    person: p-ada
    url: "slack://${A}/${B}/${C}/#sales"
  - person: p-ines
    url: hooks.example/in
    events: [exception_opened, sent]
  - unit: sales
    colour: red
    url: json://hooks.example/in
  - unit: sales
    description: no url
""",
    )
    assert _problems(folder) == [
        "channels.yaml:2:15: escalation.*.days: 0 is too small, expected a value >= 1",
        "channels.yaml:3:3: escalation.offtrack: unknown exception kind, expected 'off_track'",
        "channels.yaml:4:17: escalation.stale.days: 7.5 is not a whole number, expected a "
        "whole number",
        "channels.yaml:4:30: escalation.stale.levels: 11 is too large, expected a value <= 10",
        "channels.yaml:5:22: escalation.overdue_milestone: is not a mapping, expected "
        "{days: 5, levels: 2}",
        "channels.yaml:6:19: escalation.adverse_signal.levels: missing, expected a whole number "
        "of levels, 0 to 10",
        "channels.yaml:8:5: apprise[0]: has both person and unit, expected exactly one, e.g. "
        "{unit: sales, url: 'slack://${SLACK_TOKEN}/#sales'}",
        "channels.yaml:12:10: apprise[1].url: 'hooks.example/in' is not an Apprise URL, expected "
        "scheme://... without spaces, e.g. "
        "slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#channel or json://host/path",
        "channels.yaml:13:32: apprise[1].events[1]: 'sent' is not allowed, expected one of "
        "status_changed, exception_opened, exception_escalated, exception_acknowledged, "
        "exception_committed, commitment_missed, exception_resolved, milestone_due_soon",
        "channels.yaml:15:5: apprise[2].colour: unknown field, expected one of: person, unit, "
        "url, description, events",
        "channels.yaml:17:5: apprise[3].url: a destination needs a URL, expected an Apprise URL "
        "such as slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#channel",
    ]


def test_references_secrets_and_repeats_are_checked_across_files(tmp_path: Path) -> None:
    folder = _project(
        tmp_path,
        """\
apprise:
  - unit: nowhere
    url: "json://ops:hunter2@hooks.example/in"
    events: [exception_opened, exception_opened]
  - person: p-nobody
    url: "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#sales"
  - person: p-ines
    url: "json://hooks.example/in?+X-Token=abcdef123456"
  - person: p-ines
    url: "json://hooks.example/in?+X-Token=abcdef123456"
bogus: 1
""",
    )
    token = "json://hooks.example/in?+X-Token=********"
    clear = "expected each token or key as ${ENV_VAR}, e.g. " + (
        "slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#channel"
    )
    assert _problems(folder) == [
        "channels.yaml:2:11: apprise[0].unit: unknown unit 'nowhere', expected the id of a unit "
        "in units.csv",
        "channels.yaml:3:10: apprise[0].url: the password is written in clear, expected an "
        "environment variable such as ${APPRISE_PASSWORD}",
        "channels.yaml:4:32: apprise[0].events[1]: listed twice, expected each event kind once",
        "channels.yaml:5:13: apprise[1].person: unknown person 'p-nobody', expected the id of a "
        "person in people.csv",
        "channels.yaml:6:10: apprise[1].url: holds a secret written in clear (shown masked: "
        f"slack://********/********/********/#sales), {clear}",
        f"channels.yaml:8:10: apprise[2].url: holds a secret written in clear (shown masked: "
        f"{token}), {clear}",
        f"channels.yaml:10:10: apprise[3].url: holds a secret written in clear (shown masked: "
        f"{token}), {clear}",
        "channels.yaml:10:10: apprise[3].url: this URL is already a destination of person "
        "'p-ines' (at channels.yaml:7), expected each URL once per person or unit",
        "channels.yaml:11:1: bogus: unknown top-level key, expected 'escalation' or 'apprise'",
    ]


def test_sections_of_the_wrong_shape_are_reported_once(tmp_path: Path) -> None:
    folder = _project(tmp_path, "escalation: [1]\napprise: {a: 1}\n")
    assert _problems(folder) == [
        "channels.yaml:1:13: escalation: is not a mapping, expected exception kinds, e.g. "
        "off_track: {days: 7, levels: 2}",
        "channels.yaml:2:10: apprise: is not a list, expected a list of items",
    ]
    (folder / "channels.yaml").write_text("- a\n")
    assert _problems(folder) == [
        "channels.yaml:1:1: channels: is not a mapping, expected a mapping with escalation and "
        "apprise"
    ]
    (folder / "channels.yaml").write_text("")  # an empty file declares nothing
    assert _problems(folder) == []


def test_a_refresh_must_be_a_cron_expression_and_not_on_a_manual_kpi(tmp_path: Path) -> None:
    folder = _project(tmp_path, None)
    edit(folder / "connections.yaml", "    timeout_seconds: 30\n", "    refresh: 0 25 * * *\n")
    edit(
        folder / "kpis.yaml", "    source: manual\n", "    source: manual\n    refresh: 0 6 * * *\n"
    )
    assert _problems(folder) == [
        "connections.yaml:9:14: connections[0].refresh: '0 25 * * *' is not a cron expression: "
        "its hour field '25' is wrong (Error validating expression '25': the last value (25) is "
        "higher than the maximum value (23)), expected 5 fields 'minute hour day-of-month month "
        "day-of-week', e.g. '0 6 * * *' (every day at 06:00) or '30 7 * * mon-fri'",
        "kpis.yaml:50:14: kpis[1].refresh: a manual KPI has no query to refresh, expected no "
        "refresh (or a source with a connection and a query)",
    ]


# --- plan, apply, export ---------------------------------------------------------------------


def test_channels_are_applied_exported_and_applied_again_as_a_no_op(
    engine: Engine, tmp_path: Path
) -> None:
    plan = _apply(engine, _project(tmp_path))
    assert _channel_changes(plan) == [
        ("escalation_rule", "*", Action.add, ("kind", "days", "levels")),
        ("escalation_rule", "off_track", Action.add, ("kind", "days", "levels")),
        ("escalation_rule", "overdue_milestone", Action.add, ("kind", "days", "levels")),
        ("apprise_destination", SALES_KEY, Action.add, ("unit", "url", "description", "events")),
        ("apprise_destination", ADA_KEY, Action.add, ("person", "url")),
    ]
    with session_scope(engine) as session:
        # adverse_signal and stale have no rule of their own: `*` (5 days, 2 levels) applies.
        assert escalation_rules(session) == {
            "off_track": (7, 2),
            "adverse_signal": (5, 2),
            "overdue_milestone": (3, 3),
            "stale": (5, 2),
        }
        sales = session.scalar(select(m.Unit.id).where(m.Unit.slug == "sales"))
        ada = session.scalar(select(m.Person.id).where(m.Person.slug == "p-ada"))
        entries = session.scalar(
            select(func.count())
            .select_from(m.AuditEntry)
            .where(m.AuditEntry.entity_kind.in_(["escalation_rule", "apprise_destination"]))
        )
    assert entries == 5
    # The URLs keep their ${ENV} references; positions follow the export's order (by key).
    assert [row[1:] for row in _destinations(engine)] == [
        (
            None,
            sales,
            SALES_URL,
            "Sales team channel",
            ["exception_opened", "exception_escalated"],
            1,
        ),
        (ada, None, ADA_URL, "", [], 0),
    ]
    exported, again = tmp_path / "exported", tmp_path / "again"
    with session_scope(engine) as session:
        assert plan_project(session, validate_project(_project(tmp_path / "b"))).empty
        export_project(session, exported)
    assert (exported / "channels.yaml").read_text() == EXPORTED
    assert _apply(engine, exported).empty
    with session_scope(engine) as session:
        export_project(session, again)
    assert (again / "channels.yaml").read_bytes() == (exported / "channels.yaml").read_bytes()


def test_changes_update_in_place_and_a_new_url_is_another_destination(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _project(tmp_path)
    _apply(engine, folder)
    before = {row[3]: row[0] for row in _destinations(engine)}
    edit(folder / "channels.yaml", "off_track: {days: 7", "off_track: {days: 4")
    edit(folder / "channels.yaml", "Sales team channel", "The sales channel")
    edit(folder / "channels.yaml", "aligna?+X-Token", "v2?+X-Token")
    plan = _apply(engine, folder)
    new_ada = ADA_KEY.replace("aligna?", "v2?")
    assert _channel_changes(plan) == [
        ("escalation_rule", "off_track", Action.change, ("days",)),
        ("apprise_destination", SALES_KEY, Action.change, ("description",)),
        ("apprise_destination", new_ada, Action.add, ("person", "url")),
        ("apprise_destination", ADA_KEY, Action.remove, ()),
    ]
    rows = _destinations(engine)
    # The sales destination kept its row; Ada's old URL had no message, so its row went.
    assert [(row[0] == before.get(row[3]), row[3], row[4]) for row in rows] == [
        (True, SALES_URL, "The sales channel"),
        (False, ADA_URL.replace("aligna?", "v2?"), ""),
    ]
    with session_scope(engine) as session:
        assert escalation_rules(session)["off_track"] == (4, 2)


def test_removed_destinations_with_messages_are_retired_and_come_back(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _project(tmp_path)
    _apply(engine, folder)
    sales_id = next(row[0] for row in _destinations(engine) if row[3] == SALES_URL)
    with session_scope(engine) as session:
        session.add(
            m.Message(
                idempotency_key="event:1:destination:1",
                person_id=None,
                destination_id=sales_id,
                transport=TransportName.apprise,
                subject="Revenue is off track",
                body_text="...",
                event_kind="exception_opened",
            )
        )
    # Both destinations and the whole escalation policy go.
    (folder / "channels.yaml").write_text("")
    plan = _apply(engine, folder)
    assert [(kind, key, action) for kind, key, action, _ in _channel_changes(plan)] == [
        ("escalation_rule", "*", Action.remove),
        ("escalation_rule", "off_track", Action.remove),
        ("escalation_rule", "overdue_milestone", Action.remove),
        ("apprise_destination", ADA_KEY, Action.remove),
        ("apprise_destination", SALES_KEY, Action.remove),
    ]
    # Ada's had no message: deleted. The sales one is still referred to: kept, hearing nothing.
    assert [(row[0], row[3], row[5]) for row in _destinations(engine)] == [
        (sales_id, SALES_URL, [RETIRED])
    ]
    with session_scope(engine) as session:
        assert escalation_rules(session) == {
            "off_track": (7, 2),
            "adverse_signal": (7, 2),
            "overdue_milestone": (3, 2),
            "stale": (14, 1),
        }
        assert session.scalar(select(m.Message.destination_id)) == sales_id
        removed = session.execute(
            select(m.AuditEntry.before).where(
                m.AuditEntry.entity_kind == "escalation_rule",
                m.AuditEntry.entity_id == "off_track",
                m.AuditEntry.action == "remove",
            )
        ).scalar_one()
        assert removed == {"kind": "off_track", "days": 7, "levels": 2}
        assert plan_project(session, validate_project(folder)).empty
        export_project(session, tmp_path / "exported")
    assert not (tmp_path / "exported" / "channels.yaml").exists()
    # Declared again, the retired destination is restored, in its own row.
    (folder / "channels.yaml").write_text(CHANNELS)
    plan = _apply(engine, folder)
    assert [(key, action) for _, key, action, _ in _channel_changes(plan)][3:] == [
        (SALES_KEY, Action.restore),
        (ADA_KEY, Action.add),
    ]
    restored = next(row for row in _destinations(engine) if row[3] == SALES_URL)
    assert (restored[0], restored[5]) == (sales_id, ["exception_opened", "exception_escalated"])
    assert _apply(engine, folder).empty


def test_refresh_schedules_are_stored_planned_and_exported(engine: Engine, tmp_path: Path) -> None:
    folder = _project(tmp_path, None)
    edit(folder / "connections.yaml", "    timeout_seconds: 30\n", "    refresh: 0  6 * * 1-5\n")
    edit(
        folder / "kpis.yaml",
        "    public: true\n",
        "    public: true\n    refresh: '*/15 * * * *'\n",
    )
    _apply(engine, folder)
    with engine.connect() as connection:
        assert connection.execute(select(m.Connection.refresh_schedule)).scalar_one() == (
            "0 6 * * 1-5"  # the spacing tidied
        )
        schedules = connection.execute(
            select(m.Kpi.slug, m.Kpi.refresh_schedule).order_by(m.Kpi.slug)
        ).all()
    assert [tuple(row) for row in schedules] == [
        ("customer-satisfaction", None),
        ("monthly-revenue", "*/15 * * * *"),
    ]
    exported = tmp_path / "exported"
    with session_scope(engine) as session:
        assert plan_project(session, validate_project(folder)).empty
        export_project(session, exported)
    assert "    refresh: 0 6 * * 1-5\n" in (exported / "connections.yaml").read_text()
    assert "    refresh: '*/15 * * * *'\n" in (exported / "kpis.yaml").read_text()
    assert _apply(engine, exported).empty
    edit(folder / "kpis.yaml", "    refresh: '*/15 * * * *'\n", "")
    plan = _apply(engine, folder)
    assert [(c.kind, c.key, c.action, c.fields) for c in plan.all()] == [
        ("kpi", "monthly-revenue", Action.change, ("refresh",))
    ]


def test_a_long_url_still_gives_a_key_the_audit_log_can_hold() -> None:
    url = "json://hooks.example/" + "a" * 300
    key = destination_key(None, "sales", url)
    assert len(key) == 200  # audit_entry.entity_id holds 200 characters
    assert key.startswith("unit:sales json://hooks.example/aaa")
    assert key != destination_key(None, "sales", url + "b")
