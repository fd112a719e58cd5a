"""Checks across files: references, cycles, weights, dates, scorecards and secrets."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from aligna.files.channels import check_channels
from aligna.files.index import Index, find_cycles
from aligna.files.problems import Severity
from aligna.files.schema import KpiModel
from aligna.files.secrets import ENV_REFERENCE, SECRET_NAME, from_env
from aligna.files.targets import check_kpi_target

MAX_ITEMS = 5


def check_project(index: Index) -> None:
    """Run every cross-file check of a project."""
    _check_org(index)
    _check_foundation(index)
    _check_connections(index)
    _check_strategy(index)
    for entry in index.ids("kpi").values():
        _check_kpi(index, entry.model, entry.where)
        check_kpi_target(index, entry.model, entry.where)
    _check_initiatives(index)
    _check_weights(index)
    _check_scorecards(index)
    check_channels(index)


def _check_org(index: Index) -> None:
    units = index.ids("unit")
    roots = [e for e in units.values() if e.model.parent is None]
    for entry in units.values():
        index.ref(entry.where, ("parent",), entry.model.parent, "unit")
    for extra in roots[1:]:
        index.report(
            extra.where,
            ("parent",),
            f"a second root unit, expected exactly one unit without a parent (the first is "
            f"'{roots[0].model.id}' at {roots[0].where.file}:{roots[0].where.line})",
        )
    for cycle in find_cycles({u: e.model.parent for u, e in units.items()}):
        index.report(
            units[cycle[0]].where,
            ("parent",),
            f"the unit tree has a cycle: {' -> '.join([*cycle, cycle[0]])}, expected a tree",
        )
    people = index.ids("person")
    emails: dict[str, str] = {}
    for person, entry in people.items():
        model = entry.model
        index.ref(entry.where, ("unit",), model.unit, "unit")
        index.ref(entry.where, ("manager",), model.manager, "person")
        for team in model.teams:
            index.ref(entry.where, ("teams",), team, "unit")
        key = model.email.lower()
        if key in emails:
            index.report(
                entry.where,
                ("email",),
                f"'{model.email}' is already the email of '{emails[key]}', expected unique emails",
            )
        else:
            emails[key] = person
    for cycle in find_cycles({p: e.model.manager for p, e in people.items()}):
        index.report(
            people[cycle[0]].where,
            ("manager",),
            f"the reporting line has a cycle: {' -> '.join([*cycle, cycle[0]])}, expected a line "
            "that ends with someone who has no manager",
        )


def _check_foundation(index: Index) -> None:
    horizon = index.project.foundation.vision.horizon
    for entry in index.ids("vision_target").values():
        target = entry.model
        if index.ref(entry.where, ("kpi",), target.kpi, "kpi"):
            kpi = index.get("kpi", target.kpi).model
            if kpi.polarity == "within_range":
                index.report(
                    entry.where,
                    ("kpi",),
                    f"KPI '{kpi.id}' is within_range, expected a higher- or lower-is-better KPI",
                )
        if target.year is None and horizon is None:
            index.report(
                entry.where,
                ("year",),
                "no year and no vision horizon, expected year or vision.horizon",
            )


def _check_connections(index: Index) -> None:
    for entry in index.ids("connection").values():
        connection = entry.model
        try:
            url = make_url(connection.url)
        except ArgumentError:
            index.report(
                entry.where,
                ("url",),
                f"'{connection.url}' is not a database URL, expected e.g. "
                "postgresql://reader:${WAREHOUSE_PASSWORD}@host/db",
            )
            continue
        if url.password is not None and not ENV_REFERENCE.match(str(url.password)):
            index.report(
                entry.where,
                ("url",),
                "the password is written in clear, expected an environment variable such as "
                "${WAREHOUSE_PASSWORD}",
            )
        for name, value in url.query.items():
            if SECRET_NAME.search(name) and not from_env(value):
                index.report(
                    entry.where,
                    ("url",),
                    f"the URL parameter '{name}' is written in clear, expected ${{ENV_VAR}}",
                )
        for name, value in connection.options.items():
            if SECRET_NAME.search(str(name)) and not from_env(value):
                index.report(
                    entry.where,
                    ("options", name),
                    f"'{name}' is written in clear, expected an environment variable such as "
                    "${WAREHOUSE_TOKEN}",
                )


def _check_strategy(index: Index) -> None:
    for entry in index.ids("process").values():
        index.ref(entry.where, ("owner",), entry.model.owner, "person")
        index.ref(entry.where, ("unit",), entry.model.unit, "unit")
    objectives = index.ids("objective")
    for entry in objectives.values():
        objective = entry.model
        index.ref(entry.where, ("parent",), objective.parent, "objective")
        index.ref(entry.where, ("unit",), objective.unit, "unit")
        if objective.owner is None:
            index.report(
                entry.where,
                ("owner",),
                "no owner, expected the person accountable for it",
                Severity.warning,
            )
        index.ref(entry.where, ("owner",), objective.owner, "person")
        seen: set[str] = set()
        for i, serves in enumerate(objective.vision_targets):
            index.ref(
                entry.where,
                ("vision_targets", i, "vision_target"),
                serves.vision_target,
                "vision_target",
            )
            if serves.vision_target in seen:
                index.report(entry.where, ("vision_targets", i), "listed twice, expected once")
            seen.add(serves.vision_target)
    for cycle in find_cycles({o: e.model.parent for o, e in objectives.items()}):
        index.report(
            objectives[cycle[0]].where,
            ("parent",),
            f"the objective tree has a cycle: {' -> '.join([*cycle, cycle[0]])}, expected a tree",
        )


def _check_kpi(index: Index, kpi: KpiModel, where) -> None:  # type: ignore[no-untyped-def]
    index.ref(where, ("owner",), kpi.owner, "person")
    index.ref(where, ("unit",), kpi.unit, "unit")
    index.ref(where, ("process",), kpi.process, "process")
    if kpi.refresh and kpi.source.manual:
        index.report(
            where,
            ("refresh",),
            "a manual KPI has no query to refresh, expected no refresh (or a source with a "
            "connection and a query)",
        )
    if kpi.source.connection:
        index.ref(where, ("source", "connection"), kpi.source.connection, "connection")
    if (
        kpi.breakdown
        and "unit" not in index.project.unreadable
        and not any(u.model.kind == kpi.breakdown.unit_kind for u in index.ids("unit").values())
    ):
        index.report(
            where,
            ("breakdown", "unit_kind"),
            f"no unit is of kind '{kpi.breakdown.unit_kind}', expected the kind of some units",
            Severity.warning,
        )
    for i, influencer in enumerate(kpi.influencers):
        index.ref(where, ("influencers", i, "person"), influencer.person, "person")
        index.ref(where, ("influencers", i, "unit"), influencer.unit, "unit")
    _check_restriction(index, where, kpi.restricted_to)
    seen: set[str] = set()
    for i, serves in enumerate(kpi.objectives):
        index.ref(where, ("objectives", i, "objective"), serves.objective, "objective")
        if serves.objective in seen:
            index.report(where, ("objectives", i), "listed twice, expected each objective once")
        seen.add(serves.objective)


def _check_restriction(index: Index, where: Any, restriction: Any) -> None:
    """The people and units a restricted item names must exist, each once."""
    if restriction is None:
        return
    for field, kind in (("people", "person"), ("units", "unit")):
        seen: set[str] = set()
        for i, slug in enumerate(getattr(restriction, field)):
            index.ref(where, ("restricted_to", field, i), slug, kind)
            if slug in seen:
                index.report(
                    where, ("restricted_to", field, i), f"listed twice, expected each {kind} once"
                )
            seen.add(slug)


def _check_initiatives(index: Index) -> None:
    for entry in index.ids("initiative").values():
        initiative, where = entry.model, entry.where
        index.ref(where, ("owner",), initiative.owner, "person")
        index.ref(where, ("unit",), initiative.unit, "unit")
        for i, person in enumerate(initiative.contributors):
            index.ref(where, ("contributors", i), person, "person")
        for i, influencer in enumerate(initiative.influencers):
            index.ref(where, ("influencers", i, "person"), influencer.person, "person")
            index.ref(where, ("influencers", i, "unit"), influencer.unit, "unit")
        _check_restriction(index, where, initiative.restricted_to)
        for i, contribution in enumerate(initiative.contributes):
            index.ref(where, ("contributes", i, "objective"), contribution.objective, "objective")
            index.ref(
                where,
                ("contributes", i, "vision_target"),
                contribution.vision_target,
                "vision_target",
            )
        if initiative.end < initiative.start:
            index.report(
                where,
                ("end",),
                f"ends {initiative.end} before it starts {initiative.start}, expected an end on "
                "or after the start",
            )
        milestones: set[str] = set()
        for i, milestone in enumerate(initiative.milestones):
            if milestone.id in milestones:
                index.report(
                    where,
                    ("milestones", i, "id"),
                    f"duplicate milestone id '{milestone.id}', expected each id once",
                )
            milestones.add(milestone.id)
            if milestone.due > initiative.end:
                index.report(
                    where,
                    ("milestones", i, "due"),
                    f"due {milestone.due}, after the initiative ends on {initiative.end}, "
                    "expected a due date on or before the end",
                )


def _check_weights(index: Index) -> None:
    """An objective's children, and a vision target's objectives, must not all weigh 0."""
    children: dict[str, list[float]] = defaultdict(list)
    for entry in index.ids("objective").values():
        if entry.model.parent:
            children[entry.model.parent].append(entry.model.weight)
    for entry in index.ids("kpi").values():
        for serves in entry.model.objectives:
            children[serves.objective].append(serves.weight)
    for entry in index.ids("initiative").values():
        for contribution in entry.model.contributes:
            if contribution.objective:
                children[contribution.objective].append(contribution.weight)
    for objective, entry in index.ids("objective").items():
        weights = children.get(objective, [])
        if weights and not any(w > 0 for w in weights):
            index.report(
                entry.where,
                ("id",),
                f"all {len(weights)} items under objective '{objective}' weigh 0, expected at "
                "least one weight above 0",
            )
    served: dict[str, list[float]] = defaultdict(list)
    for entry in index.ids("objective").values():
        for serves in entry.model.vision_targets:
            served[serves.vision_target].append(serves.weight)
    for target, entry in index.ids("vision_target").items():
        weights = served.get(target, [])
        if weights and not any(w > 0 for w in weights):
            index.report(
                entry.where,
                ("id",),
                f"all {len(weights)} objectives serving '{target}' weigh 0, expected at least "
                "one weight above 0",
            )


def _check_scorecards(index: Index) -> None:
    units = index.ids("unit")
    counts: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str, str, str | None]] = set()
    for entry in index.project.scorecards:
        row, where = entry.model, entry.where
        index.ref(where, ("person",), row.person, "person")
        kind = "kpi" if row.kind == "kpi" else "initiative"
        known = index.ref(where, ("item",), row.item, kind)
        key = (row.person, row.kind, row.item, row.unit)
        if key in seen:
            index.report(
                where,
                ("item",),
                f"'{row.item}' is already on {row.person}'s scorecard, expected each item once",
            )
        seen.add(key)
        counts[row.person] += 1
        if counts[row.person] == MAX_ITEMS + 1:
            index.report(
                where,
                ("person",),
                f"'{row.person}' has more than {MAX_ITEMS} scorecard items, expected about five "
                "(more dilutes focus)",
                Severity.warning,
            )
        if row.unit is not None and index.ref(where, ("unit",), row.unit, "unit"):
            if kind == "initiative":
                index.report(
                    where, ("unit",), "an initiative has no unit slices, expected an empty unit"
                )
            elif known:
                _check_slice(index, where, row.item, row.unit, units)
    seen_business: set[tuple[str, str]] = set()
    for entry in index.project.business_scorecards:
        row, where = entry.model, entry.where
        unit_known = index.ref(where, ("unit",), row.unit, "unit")
        kpi_known = index.ref(where, ("kpi",), row.kpi, "kpi")
        if (row.unit, row.kpi) in seen_business:
            index.report(
                where,
                ("kpi",),
                f"'{row.kpi}' is already on unit {row.unit}'s business "
                "scorecard, expected each KPI once",
            )
        seen_business.add((row.unit, row.kpi))
        if unit_known and kpi_known:
            kpi = index.get("kpi", row.kpi).model
            if kpi.breakdown and row.unit != _kpi_unit(index, kpi):
                _check_slice(index, where, row.kpi, row.unit, units, column="unit")


def _kpi_unit(index: Index, kpi: KpiModel) -> str | None:
    if kpi.unit:
        return kpi.unit
    owner = index.get("person", kpi.owner)
    return owner.model.unit if owner else None


def _check_slice(index, where, kpi_id, unit_id, units, column="unit") -> None:  # type: ignore[no-untyped-def]
    """A unit slice must be a unit of the breakdown's kind inside the KPI's unit."""
    kpi = index.get("kpi", kpi_id).model
    if kpi.breakdown is None:
        index.report(
            where, (column,), f"KPI '{kpi_id}' is not broken down by unit, expected an empty unit"
        )
        return
    unit = units[unit_id].model
    home = _kpi_unit(index, kpi)
    inside = _inside(unit_id, home, units)
    if inside is None:
        return  # the unit tree is broken above this unit: reported in units.csv
    if unit.kind != kpi.breakdown.unit_kind or not inside:
        index.report(
            where,
            (column,),
            f"unit '{unit_id}' is not a {kpi.breakdown.unit_kind} inside '{home}', expected a "
            f"unit that KPI '{kpi_id}' is broken down by",
        )


def _inside(unit_id: str, ancestor: str | None, units) -> bool | None:  # type: ignore[no-untyped-def]
    """Whether a unit is inside another; None when an unknown parent or a cycle is met first."""
    steps = 0
    node: str | None = unit_id
    while node is not None and steps <= len(units):
        if node == ancestor:
            return True
        entry = units.get(node)
        if entry is None:
            return None
        node = entry.model.parent
        steps += 1
    return False if node is None else None
