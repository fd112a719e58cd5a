"""The foundation (mission, vision, values), the processes and the tree of objectives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aligna.demo.names import COMPANY_NAME
from aligna.demo.organisation import Organisation
from aligna.demo.yamltext import Flow, Literal

# Why the company exists and whom it serves with what: no ambition, no strategy.
MISSION = f"""\
{COMPANY_NAME} exists so that farms, homes and small towns have water whenever they need it.
We design, make and deliver pumps and filtration systems that are simple to install, easy to
repair and built to last for decades, and we look after them for as long as they run.
"""

# The picture of success at the horizon: neither what the business does nor how it gets there.
VISION = """\
By {horizon}, no family, farm or town that relies on us goes without water because of us.
Our customers choose us again and tell their neighbours; the people who work here are proud of
it and stay; we are three times the size we were in {year}, and we need half the energy we
needed then for every customer we serve.
"""


@dataclass(frozen=True)
class ObjectiveSpec:
    """A strategic objective, with template units instead of ids."""

    id: str
    name: str
    description: str
    parent: str | None
    unit: str
    weight: float = 1.0
    vision_targets: tuple[tuple[str, float], ...] = ()


# fmt: off
VALUES: tuple[tuple[str, str, str], ...] = (
    ("safety-first", "Safety first",
     "Nobody's work is worth an injury: anyone may stop a line or a job that is unsafe."),
    ("straight-talk", "Straight talk",
     "We say what we will do, do what we said, and speak up early when we cannot."),
    ("built-to-last", "Built to last",
     "We make things that can be repaired, and we never hide a fault from a customer."),
    ("customers-are-neighbours", "Customers are neighbours",
     "We treat every customer as someone we will meet again next week."),
    ("learn-together", "Learn together",
     "We share what we know and treat mistakes as lessons, never as blame."),
)

# id, name, description, template unit (owner: its head)
PROCESSES: tuple[tuple[str, str, str, str], ...] = (
    ("sales", "Sales", "From a customer's enquiry to an order taken.", "commercial"),
    ("production", "Production", "From components on the line to tested pumps ready to ship.",
     "manufacturing"),
    ("procurement", "Procurement and stock",
     "From a purchase order to components on the line and pumps in stock.", "supply-chain"),
    ("delivery", "Order delivery", "From an order taken to the pump delivered and installed.",
     "distribution"),
    ("after-sales", "After-sales service",
     "Support, repairs and warranty for every pump in the field.", "customer-service"),
    ("product-development", "Product development",
     "From an idea to a certified product on sale.", "engineering"),
    ("recruitment", "Recruitment", "From a position opened to a new colleague's first day.",
     "people"),
    ("training", "Training and development",
     "Courses, coaching and certification that keep skills ahead of the work.", "people"),
)


Obj = ObjectiveSpec
OBJECTIVES: tuple[ObjectiveSpec, ...] = (
    Obj("grow-profitably", "Grow the business profitably",
        "Grow revenue threefold while keeping the margin that pays for the future.",
        None, "company", 1.0, (("revenue-3x", 1.0),)),
    Obj("win-new-markets", "Win new markets",
        "Sell to customers and countries we do not reach yet.",
        "grow-profitably", "commercial", 2.0),
    Obj("grow-export-sales", "Grow export sales",
        "Open three export markets with local partners.",
        "win-new-markets", "region-export"),
    Obj("grow-order-intake", "Grow order intake",
        "More orders from the regions we already serve.",
        "win-new-markets", "commercial"),
    Obj("protect-margins", "Protect margins",
        "Keep the cost of making and delivering pumps in check.",
        "grow-profitably", "finance"),
    Obj("reduce-scrap", "Reduce scrap",
        "Get it right the first time on every line.",
        "protect-margins", "manufacturing"),
    Obj("control-delivery-cost", "Control delivery cost",
        "Deliver more with fewer miles.",
        "protect-margins", "distribution"),
    Obj("renew-the-range", "Renew the range",
        "A third of revenue from products launched in the last three years.",
        "grow-profitably", "engineering"),
    Obj("launch-smart-pumps", "Launch smart pumps",
        "Connected pumps that tell us before they fail.",
        "renew-the-range", "product-design"),
    Obj("delight-customers", "Be our customers' first recommendation",
        "Reliable pumps, delivered when promised, fixed fast when they fail.",
        None, "commercial", 1.0, (("customers-recommend", 1.0), ("pumps-that-last", 1.0))),
    Obj("deliver-on-time", "Deliver on time",
        "Every order on the day we promised.",
        "delight-customers", "distribution"),
    Obj("reliable-delivery-promises", "Make reliable delivery promises",
        "Promise dates we can keep, and keep them.",
        "deliver-on-time", "distribution"),
    Obj("fix-problems-fast", "Fix problems fast",
        "A customer without water is our emergency.",
        "delight-customers", "customer-service"),
    Obj("resolve-first-time", "Resolve at the first contact",
        "Solve the problem in the first conversation.",
        "fix-problems-fast", "customer-service"),
    Obj("keep-backlog-low", "Keep the backlog low",
        "No ticket waits for someone to pick it up.",
        "fix-problems-fast", "customer-service"),
    Obj("build-pumps-that-last", "Build pumps that last",
        "Fewer failures in the field every year.",
        "delight-customers", "test-certification"),
    Obj("operate-sustainably", "Operate sustainably",
        "Halve the energy behind every pump we make and deliver.",
        None, "operations", 1.0, (("energy-halved", 1.0),)),
    Obj("cut-energy-use", "Cut energy use in the plants",
        "Recover heat, waste less, run leaner.",
        "operate-sustainably", "manufacturing", 2.0),
    Obj("lean-supply-chain", "Run a lean supply chain",
        "The right parts and the right stock, without piles.",
        "operate-sustainably", "supply-chain"),
    Obj("reliable-suppliers", "Work with reliable suppliers",
        "Parts on the day they are promised.",
        "lean-supply-chain", "supply-chain"),
    Obj("right-sized-stock", "Keep stock right-sized",
        "Enough cover for the season and no more.",
        "lean-supply-chain", "supply-chain"),
    Obj("grow-our-people", "Build a team that stays, learns and is safe",
        "People who are proud to work here serve customers best.",
        None, "people", 1.0, (("customers-recommend", 0.5),)),
    Obj("hire-well", "Hire well and fast",
        "The right people, before the season needs them.",
        "grow-our-people", "people"),
    Obj("learn-every-year", "Learn every year",
        "Everyone grows their skills every year.",
        "grow-our-people", "people"),
    Obj("safe-workplaces", "Keep every workplace safe",
        "Everyone goes home unharmed.",
        "grow-our-people", "operations", 1.5),
)
# fmt: on


def foundation(horizon: int, base_year: int, targets: list[dict[str, Any]]) -> dict[str, Any]:
    """foundation.yaml's content: mission, vision with its targets, values."""
    return {
        "mission": Literal(MISSION),
        "vision": {
            "statement": Literal(VISION.format(horizon=horizon, year=base_year)),
            "horizon": horizon,
            "targets": targets,
        },
        "values": [{"id": i, "name": n, "description": d} for i, n, d in VALUES],
    }


def processes(org: Organisation) -> list[dict[str, Any]]:
    """processes.yaml's entries, owned by the head of the unit running each process."""
    result = []
    for pid, name, description, template in PROCESSES:
        unit = org.resolve(template)
        owner = org.units[unit].head or org.head_above(unit)
        result.append(
            {"id": pid, "name": name, "description": description, "owner": owner, "unit": unit}
        )
    return result


def objectives(org: Organisation) -> list[dict[str, Any]]:
    """objectives.yaml's entries, each owned by the head of its unit."""
    result = []
    for spec in OBJECTIVES:
        unit = org.resolve(spec.unit)
        entry: dict[str, Any] = {
            "id": spec.id,
            "name": spec.name,
            "description": spec.description,
            "parent": spec.parent,
            "owner": org.units[unit].head or org.head_above(unit),
            "unit": unit,
            "weight": spec.weight,
        }
        if spec.vision_targets:
            entry["vision_targets"] = [
                Flow(vision_target=t, weight=w) for t, w in spec.vision_targets
            ]
        result.append(entry)
    return result
