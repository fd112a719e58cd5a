"""Who produces which warehouse rows: teams by data role, weighted by their size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligna.demo import templates as tpl
from aligna.demo.organisation import Organisation
from aligna.demo.timeline import weighted_choice


@dataclass(frozen=True)
class Group:
    """Units that produce one kind of data, and how much each produces relative to the others."""

    ids: tuple[str, ...]
    weights: np.ndarray

    def pick(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indices of units drawn in proportion to their weights."""
        return weighted_choice(rng, self.weights, size)

    def every(self, step: int, offset: int = 0) -> np.ndarray:
        """A mask of every step-th unit: a deterministic subset hit by a shift in the data."""
        return (np.arange(len(self.ids)) % step) == offset


@dataclass(frozen=True)
class Staffing:
    """The data-producing groups of the organisation and its headcount by division."""

    people: int
    sales: Group
    sales_region: np.ndarray  # per sales team: index into regions
    regions: tuple[str, ...]
    region_weights: np.ndarray
    region_growth: np.ndarray
    delivery: Group
    production: Group
    support: Group
    field_service: Group
    procurement: Group
    recruiters: Group
    everyone: Group  # every unit with people, weighted by headcount
    hazard: np.ndarray  # per unit of `everyone`: how exposed to safety incidents
    divisions: tuple[str, ...]
    division_headcount: np.ndarray


REGION_WEIGHT = {"north": 0.30, "south": 0.25, "east": 0.20, "west": 0.15, "export": 0.10}
# Export grows fastest: the company's newest customers.
REGION_GROWTH = {"north": 1.06, "south": 1.07, "east": 1.09, "west": 1.08, "export": 1.22}
HAZARD = {
    tpl.PRODUCTION: 3.0,
    tpl.DELIVERY: 2.0,
    tpl.FIELD_SERVICE: 2.0,
    tpl.PROCUREMENT: 0.5,
}


def _group(org: Organisation, ids: list[str]) -> Group:
    """Units weighted by how many people they have."""
    sizes = np.array([max(1, len(org.units[u].members)) for u in ids], dtype=float)
    return Group(tuple(ids), sizes)


def _teams_or(org: Organisation, role: str, fallback: str) -> Group:
    """Teams with a role, or the unit standing in for them in a small company."""
    return _group(org, org.teams_with_role(role) or [org.resolve(fallback)])


def build_staffing(org: Organisation) -> Staffing:
    """Group the organisation's units by the data they produce."""
    regions = tuple(u.id for u in org.units.values() if u.kind == "region")
    keys = [r.removeprefix("region-") for r in regions]
    sales_ids = org.teams_with_role(tpl.SALES)
    sales_region = np.array([regions.index(org.nearest_of_kind(t, "region")) for t in sales_ids])
    support = org.teams_with_role(tpl.SUPPORT)
    field = org.teams_with_role(tpl.FIELD_SERVICE)
    staffed = [u.id for u in org.units.values() if u.members]
    hazard = np.array(
        [
            HAZARD.get(org.units[u].role or "", 0.6 if org.units[u].kind == "team" else 0.2)
            for u in staffed
        ]
    )
    top = [u for u in org.units[org.root].children if org.units[u].kind == "division"]
    headcount = {u: 0 for u in [org.root, *top]}
    for person in org.people.values():
        chain = org.ancestors(person.unit)
        headcount[chain[-2] if len(chain) > 1 and chain[-2] in headcount else org.root] += 1
    return Staffing(
        people=len(org.people),
        sales=_group(org, sales_ids),
        sales_region=sales_region,
        regions=regions,
        region_weights=np.array([REGION_WEIGHT[k] for k in keys]),
        region_growth=np.array([REGION_GROWTH[k] for k in keys]),
        delivery=_teams_or(org, tpl.DELIVERY, "distribution"),
        production=_teams_or(org, tpl.PRODUCTION, "manufacturing"),
        support=_group(org, support or field),
        field_service=_group(org, field or support),
        procurement=_teams_or(org, tpl.PROCUREMENT, "supply-chain"),
        recruiters=_teams_or(org, tpl.RECRUITMENT, "people"),
        everyone=_group(org, staffed),
        hazard=hazard,
        divisions=tuple(headcount),
        division_headcount=np.array(list(headcount.values()), dtype=float),
    )
