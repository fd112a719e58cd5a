"""Turning the specs into project entries: ids resolved, owners chosen, targets fitted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain
from typing import Any

from aligna.demo.initiatives import INITIATIVES
from aligna.demo.kpis import KPIS, KpiSpec
from aligna.demo.organisation import Organisation
from aligna.demo.queries import QUERIES
from aligna.demo.scorecards import MAX_ITEMS, Book, KpiScope
from aligna.demo.strategy import PROCESSES
from aligna.demo.targets import (
    Series,
    band_target,
    nice,
    number,
    trajectory_target,
)
from aligna.demo.templates import SQUADS
from aligna.demo.vision import PERIODS_PER_YEAR, VisionTarget
from aligna.demo.yamltext import Comment, Flow, Literal
from aligna.periods import Frequency, format_period

OWNS_AT_MOST = 3  # owners keep room on their scorecards for what they contribute to
CONTRIBUTES_AT_MOST = 3  # initiative contributors keep room for their own unit's KPIs
JOINS_AT_MOST = 4  # influencers too, if less
PLAN_YEARS = 3  # process KPIs' trajectories end three years out; vision KPIs at the horizon
PROCESS_NAMES = {p[0]: p[1] for p in PROCESSES}
# The demo's escalation policy, (days, levels) by exception kind: off track climbs after three
# days, so exploring the demo for a few days shows an escalation; the rest after five.
ESCALATION = {"*": (5, 2), "off_track": (3, 2)}


def pick_owner(org: Organisation, book: Book, template: str, team: str | None = None) -> str:
    """The first person with room: a named team's lead, the unit's head, those below, anyone."""
    unit = org.resolve(template)
    lead = org.units[f"{team}-1"].head if team and f"{team}-1" in org.units else None
    candidates = chain([lead] if lead else [], org.people_in(unit))
    found = book.pick(candidates, OWNS_AT_MOST) or book.pick(org.people_in(org.root), MAX_ITEMS)
    if found is None:
        raise RuntimeError("every scorecard is full: too few people for the demo")
    return found


def assign_owners(org: Organisation, book: Book) -> dict[str, str]:
    """An owner for every KPI and initiative, before anyone's scorecard fills up with the rest."""
    owners: dict[str, str] = {}
    for kind, specs in (("kpi", KPIS), ("initiative", INITIATIVES)):
        for spec in specs:
            owners[spec.id] = owner = pick_owner(org, book, spec.owner_from, spec.owner_team)
            book.add(owner, kind, spec.id, "accountable")
    return owners


def _influencers(
    org: Organisation,
    book: Book,
    kind: str,
    item: str,
    owner: str,
    specs: tuple[tuple[str, str, str], ...],
) -> list[Flow]:
    """Influencer entries; the people chosen get the item as influencers on their scorecard."""
    entries: list[Flow] = []
    seen: set[str] = {owner}
    for what, template, how in specs:
        unit = org.resolve(template)
        if what == "unit":
            if unit not in seen:
                seen.add(unit)
                entries.append(Flow(unit=unit, kind=how))
            continue
        person = book.pick(org.people_in(unit), JOINS_AT_MOST, exclude=seen)
        if person is not None:
            seen.add(person)
            book.add(person, kind, item, "influencer")
            entries.append(Flow(person=person, kind=how))
    return entries


def _kpi_target(
    spec: KpiSpec, series: Series, today: date, vision: VisionTarget | None
) -> dict[str, Any]:
    """The target block of one KPI: a band, a fixed plan, or a trajectory fitted to data."""
    frequency = Frequency(spec.frequency)
    if spec.polarity == "within_range":
        # Stock cover: a band around its usual level, widened for the ERP go-live week.
        return band_target(series, frequency, today, 5, 7, overrides=((45, 6),))
    assert spec.plan is not None
    if spec.manual:  # no data to fit: the People team's own plan
        return {
            "baseline": {
                "period": format_period(today - timedelta(days=365), frequency),
                "value": 64,
            },
            "value": 75,
            "by": f"{today.year + PLAN_YEARS}-Q4",
            "shape": "linear",
            "red_flag": {"offset": "-5%"},
        }
    if vision is None:
        # A share cannot pass 100%: plans for rates stop short of perfection.
        ceiling = 98.0 if spec.unit_of_measure == "%" else None
        return trajectory_target(
            spec.plan,
            spec.polarity,
            series,
            frequency,
            today,
            today.year + PLAN_YEARS,
            ceiling=ceiling,
        )
    per_period = vision.value / PERIODS_PER_YEAR[frequency] if spec.aggregation == "sum" else None
    final = per_period if per_period is not None else vision.value
    return trajectory_target(
        spec.plan, spec.polarity, series, frequency, today, vision.year, final=final
    )


def kpi_entries(
    org: Organisation,
    book: Book,
    owners: dict[str, str],
    series: dict[str, Series],
    visions: list[VisionTarget],
    today: date,
) -> tuple[list[Any], list[KpiScope]]:
    """kpis.yaml's entries, grouped by process, and the scopes scorecards need."""
    by_kpi = {v.kpi: v for v in visions}
    entries: list[Any] = []
    scopes: list[KpiScope] = []
    section: str | None = "none yet"
    for spec in KPIS:
        if spec.process != section:
            section = spec.process
            title = PROCESS_NAMES[section] if section else "Objective-level KPIs (no process)"
            entries.append(Comment(f"--- {title} ---"))
        unit = org.resolve(spec.unit)
        owner = owners[spec.id]
        entry: dict[str, Any] = {
            "id": spec.id,
            "name": spec.name,
            "definition": spec.definition,
            "unit_of_measure": spec.unit_of_measure,
            "polarity": spec.polarity,
            "frequency": spec.frequency,
            "aggregation": spec.aggregation,
            "owner": owner,
            "unit": unit,
        }
        if spec.process:
            entry["process"] = spec.process
        if spec.staleness_days:
            entry["staleness_days"] = spec.staleness_days
        if spec.public:
            entry["public"] = True
        if spec.manual:
            entry["source"] = "manual"
        else:
            entry["source"] = {"connection": "warehouse", "query": Literal(QUERIES[spec.id])}
        if spec.breakdown:
            entry["breakdown"] = Flow(unit_kind=spec.breakdown[0], total=spec.breakdown[1])
        entry["target"] = _target_flows(
            _kpi_target(spec, series.get(spec.id, []), today, by_kpi.get(spec.id))
        )
        entry["influencers"] = _influencers(org, book, "kpi", spec.id, owner, spec.influencers)
        entry["objectives"] = [Flow(objective=o, weight=w) for o, w in spec.objectives]
        entries.append(entry)
        kind, roles = (spec.breakdown[0], spec.breakdown[2]) if spec.breakdown else (None, ())
        scopes.append(KpiScope(spec.id, unit, kind, roles))
    return entries, scopes


def _target_flows(block: dict[str, Any]) -> dict[str, Any]:
    """Short records of a target on one line each, as people write them."""
    result: dict[str, Any] = {}
    for key, value in block.items():
        if isinstance(value, dict):
            result[key] = Flow(value)
        elif isinstance(value, list):
            result[key] = [Flow(v) for v in value]
        else:
            result[key] = value
    return result


def _round_robin(org: Organisation, templates: tuple[str, ...]) -> Iterator[str]:
    """People of several units taken in turn, so that contributors come from every unit."""
    units = list(dict.fromkeys(org.resolve(t) for t in templates))
    streams = [org.people_in(u) for u in units]
    while streams:
        for stream in list(streams):
            person = next(stream, None)
            if person is None:
                streams.remove(stream)
            else:
                yield person


def initiative_entries(
    org: Organisation, book: Book, owners: dict[str, str], visions: list[VisionTarget], today: date
) -> list[dict[str, Any]]:
    """initiatives.yaml's entries, with contributors, squads and expected contributions."""
    gap = {v.id: v for v in visions}
    shares: dict[str, float] = {}
    for spec in INITIATIVES:
        for target, share in spec.vision:
            shares[target] = shares.get(target, 0.0) + share
    squads = {initiative: squad for squad, _, initiative in SQUADS}
    scale = (len(org.people) / 1000) ** 0.8  # budgets grow slower than the company
    entries = []
    for spec in INITIATIVES:
        owner = owners[spec.id]
        contributors: list[str] = []
        for person in _round_robin(org, spec.contributor_units):
            if len(contributors) == spec.contributors:
                break
            room = book.load(person) < CONTRIBUTES_AT_MOST
            if person != owner and person not in contributors and room:
                book.add(person, "initiative", spec.id, "contributor")
                contributors.append(person)
        if spec.id in squads:
            for person in [owner, *contributors]:
                org.people[person].teams.append(squads[spec.id])
        contributes: list[Flow] = [Flow(objective=o, weight=w) for o, w in spec.objectives]
        for target, share in spec.vision:
            v = gap[target]
            part = v.gap * v.coverage * share / shares[target] if v.gap > 0 else 0.02 * v.value
            contributes.append(Flow(vision_target=target, expected=number(nice(abs(part)))))
        entries.append(
            {
                "id": spec.id,
                "name": spec.name,
                "description": spec.description,
                "owner": owner,
                "unit": org.resolve(spec.owner_from),
                "start": today + timedelta(days=spec.start),
                "end": today + timedelta(days=spec.end),
                "budget": number(nice(spec.budget * scale)),
                "budget_unit": "EUR",
                **({"mission_gap": spec.mission_gap} if spec.mission_gap else {}),
                "contributors": contributors,
                "influencers": _influencers(
                    org, book, "initiative", spec.id, owner, spec.influencers
                ),
                "contributes": contributes,
                "milestones": [
                    Flow(id=m, name=name, due=today + timedelta(days=due), percent_complete=pc)
                    for m, name, due, pc in spec.milestones
                ],
            }
        )
    return entries


def channels_body() -> dict[str, Any]:
    """channels.yaml's escalation policy ("*" quoted: a bare * starts a YAML alias)."""
    rules = {
        ('"*"' if kind == "*" else kind): Flow(days=days, levels=levels)
        for kind, (days, levels) in ESCALATION.items()
    }
    return {"escalation": rules}
