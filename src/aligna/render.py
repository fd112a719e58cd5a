"""Rich renderings for the command line: problems, plans and the Alignment Map."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from aligna.alignment_map import AlignmentMap
from aligna.files.canonical import KINDS
from aligna.files.plan import REMOVED_NOT_ARCHIVED, Action, Plan, describe_value
from aligna.files.problems import Problems, Severity

KIND_LABELS = {
    "foundation": "foundation",
    "value": "values",
    "unit": "units",
    "person": "people",
    "connection": "connections",
    "process": "processes",
    "objective": "objectives",
    "kpi": "KPIs",
    "vision_target": "vision targets",
    "initiative": "initiatives",
    "scorecard": "scorecards",
    "business_scorecard": "business scorecards",
    "escalation_rule": "escalation rules",
    "apprise_destination": "Apprise destinations",
}
ACTION_STYLES = {
    Action.add: "green",
    Action.change: "yellow",
    Action.restore: "cyan",
    Action.remove: "red",
}


def problem_lines(problems: Problems) -> list[Text]:
    """One line per problem, errors in red and warnings in yellow."""
    lines = []
    for problem in problems:
        style = "red" if problem.severity is Severity.error else "yellow"
        lines.append(Text(str(problem), style=style))
    return lines


def plan_summary(plan: Plan) -> Table:
    """Counts of what applying would add, change, restore and remove, per kind."""
    table = Table(title="Plan", title_justify="left")
    table.add_column("kind")
    for action in Action:
        table.add_column(action.value, justify="right", style=ACTION_STYLES[action])
    for kind in KINDS:
        counts = [plan.count(kind, action) for action in Action]
        if any(counts):
            table.add_row(KIND_LABELS[kind], *(str(c) if c else "" for c in counts))
    return table


def plan_details(plan: Plan, limit: int | None = 50) -> Table:
    """The changes one by one, with the fields that differ."""
    table = Table(title="Changes", title_justify="left")
    table.add_column("action")
    table.add_column("kind")
    table.add_column("id")
    table.add_column("what changes")
    changes = plan.all()
    for change in changes if limit is None else changes[:limit]:
        if change.action is Action.change and change.before and change.after:
            what = "; ".join(
                f"{name}: {describe_value(change.before.get(name), 30)} -> "
                f"{describe_value(change.after.get(name), 30)}"
                for name in change.fields
            )
        elif change.action is Action.remove:
            what = (
                "archived (its history is kept)"
                if change.kind not in REMOVED_NOT_ARCHIVED
                else "removed"
            )
        else:
            what = ", ".join(change.fields)
        table.add_row(
            Text(change.action.value, style=ACTION_STYLES[change.action]),
            KIND_LABELS[change.kind],
            change.key,
            what,
        )
    if limit is not None and len(changes) > limit:
        table.caption = f"{len(changes) - limit} more changes; --all shows every one"
    return table


def alignment_map(the_map: AlignmentMap) -> RenderableType:
    """The Alignment Map: process KPIs | foundation | initiatives."""
    centre = Text()
    centre.append("Mission\n", style="bold")
    centre.append((the_map.mission or "(none yet)") + "\n\n")
    horizon = f" ({the_map.horizon})" if the_map.horizon else ""
    centre.append(f"Vision{horizon}\n", style="bold")
    centre.append((the_map.vision or "(none yet)") + "\n")
    if the_map.vision_targets:
        centre.append("\nVision targets\n", style="bold")
        for target in the_map.vision_targets:
            unit = f" {target.unit_of_measure}" if target.unit_of_measure else ""
            centre.append(f"• {target.name}: {target.kpi} {_n(target.value)}{unit}")
            centre.append(f" by {target.year}\n" if target.year else "\n")
            centre.append(
                f"  initiatives expect to contribute {_n(target.expected_from_initiatives)}{unit} "
                f"({target.initiatives} tied)\n",
                style="dim",
            )
    if the_map.values:
        centre.append("\nValues\n", style="bold")
        centre.append(" · ".join(the_map.values) + "\n")
    left = Text()
    for process in the_map.processes:
        owner = f"  ({process.owner})" if process.owner else ""
        left.append(f"{process.name}{owner}\n", style="bold")
        for kpi in process.kpis:
            arrow = {"higher_is_better": "↑", "lower_is_better": "↓"}.get(kpi.polarity, "↔")
            left.append(f"  {arrow} {kpi.name}")
            left.append(f"  {kpi.owner}\n", style="dim")
        if not process.kpis:
            left.append("  (no KPI yet)\n", style="dim")
    right = Text()
    for initiative in the_map.initiatives:
        right.append(f"{initiative.name}\n", style="bold")
        right.append(f"  {initiative.owner} · {initiative.start} → {initiative.end}", style="dim")
        right.append(
            f" · milestones {initiative.milestones_done}/{initiative.milestones}\n", style="dim"
        )
        if initiative.mission_gap:
            right.append(f"  mission gap: {initiative.mission_gap}\n", style="magenta")
        if initiative.serves:
            right.append(f"  serves: {', '.join(initiative.serves)}\n", style="dim")
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in range(3):
        grid.add_column(ratio=1)
    grid.add_row(
        Panel(left or Text("(no KPIs)"), title="Today: processes and their KPIs"),
        Panel(centre, title="Foundation", border_style="bold blue"),
        Panel(right or Text("(no initiatives)"), title="Tomorrow: strategic initiatives"),
    )
    caption = Text(
        f"{the_map.people} people · {sum(len(p.kpis) for p in the_map.processes)} KPIs · "
        f"{the_map.objectives} objectives · {len(the_map.initiatives)} initiatives",
        style="dim",
    )
    title = Text(f"Alignment Map · {the_map.name}", style="bold")
    return Group(title, grid, caption)


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
