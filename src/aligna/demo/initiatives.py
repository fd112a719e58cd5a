"""The demo's strategic initiatives: new processes for the future, with milestones and budgets.

Dates are days relative to `today`, so that every build shows milestones done, overdue and
ahead, and initiatives on track, at risk, off track, finished and not yet started.
"""

from __future__ import annotations

from dataclasses import dataclass

from aligna.demo.kpis import CROSS, LAT, VERT, P, U


@dataclass(frozen=True)
class InitiativeSpec:
    """An initiative with template units instead of ids and dates relative to today."""

    id: str
    name: str
    description: str
    owner_from: str
    start: int
    end: int
    budget: float  # EUR for a company of 1,000 people; scaled with the headcount
    mission_gap: str | None
    contributor_units: tuple[str, ...]
    contributors: int
    influencers: tuple[tuple[str, str, str], ...]
    objectives: tuple[tuple[str, float], ...]
    vision: tuple[tuple[str, float], ...]  # (vision target, share of the covered gap)
    milestones: tuple[tuple[str, str, int, int], ...]  # (id, name, due, percent complete)
    owner_team: str | None = None  # prefer the lead of the first team of this type as owner


Ini = InitiativeSpec
# fmt: off
INITIATIVES: tuple[InitiativeSpec, ...] = (
    Ini("smart-pump-launch", "Launch the smart pump range",
      "Connected pumps that report their health, sold with a monitoring subscription.",
      "product-design", -420, 300, 2_400_000, "products",
      ("product-design", "manufacturing", "marketing"), 4,
      ((P, "test-certification", CROSS), (U, "customer-service", CROSS)),
      (("launch-smart-pumps", 2.0),), (("revenue-3x", 0.45),),
      (("prototype-approved", "Prototype approved", -300, 100),
       ("field-trial", "Field trial with 40 farms", -60, 100),
       ("certification", "Certification passed", -20, 60),
       ("line-ready", "Production line ready", 120, 20),
       ("market-launch", "Market launch", 290, 0))),
    Ini("export-expansion", "Open three export markets",
      "Distributors and service partners in three new countries.", "region-export", -250, 480,
      1_500_000, "customers", ("region-export", "customer-service", "distribution"), 3,
      ((P, "finance", LAT), (U, "marketing", CROSS)),
      (("grow-export-sales", 1.0),), (("revenue-3x", 0.4),),
      (("distributor-shortlist", "Distributor shortlist agreed", -200, 100),
       ("first-market", "First export market open", -40, 40),
       ("second-market", "Second export market open", 200, 0),
       ("third-market", "Third export market open", 470, 0))),
    Ini("northern-distribution-centre", "Northern distribution centre",
      "A new centre that puts most customers within a day's drive.", "distribution", -500, 200,
      6_000_000, "infrastructure", ("distribution", "supply-chain", "it"), 3,
      ((P, "finance", VERT), (U, "region-north", CROSS)),
      (("reliable-delivery-promises", 1.0), ("control-delivery-cost", 0.5)),
      (("revenue-3x", 0.15), ("customers-recommend", 0.3)),
      (("site-chosen", "Site chosen", -450, 100),
       ("building-permit", "Building permit granted", -300, 100),
       ("construction-complete", "Construction complete", 60, 70),
       ("go-live", "Centre live", 190, 0))),
    Ini("predictive-service", "Predictive service",
      "Remote monitoring that sends a technician before a pump fails.", "engineering", -200, 400,
      1_800_000, "technology", ("product-design", "customer-service", "it"), 4,
      ((P, "customer-service", CROSS), (P, "commercial", VERT)),
      (("fix-problems-fast", 1.0), ("build-pumps-that-last", 0.5)),
      (("pumps-that-last", 0.6), ("customers-recommend", 0.4)),
      (("sensor-kit", "Sensor kit designed", -120, 100),
       ("pilot-500", "Pilot with 500 pumps", -10, 100),
       ("dashboard-live", "Service dashboard live", 90, 30),
       ("rollout", "Rolled out to all new pumps", 380, 0))),
    Ini("heat-recovery", "Heat recovery in the plants",
      "Recover the heat of the test benches and paint lines to warm the plants.",
      "manufacturing", -600, -30, 3_200_000, "infrastructure", ("manufacturing",), 2,
      ((P, "finance", CROSS),),
      (("cut-energy-use", 1.0),), (("energy-halved", 0.7),),
      (("design-approved", "Design approved", -520, 100),
       ("phase-one-live", "Phase one live", -200, 100),
       ("phase-two-live", "Phase two live", -40, 100))),
    Ini("lean-assembly", "Lean assembly programme",
      "Standard work, visual management and daily problem solving on every line.",
      "manufacturing", -400, 150, 800_000, None, ("manufacturing",), 3,
      ((P, "people", CROSS), (U, "supply-chain", LAT)),
      (("reduce-scrap", 1.0),), (("energy-halved", 0.3), ("pumps-that-last", 0.4)),
      (("value-streams-mapped", "Value streams mapped", -350, 100),
       ("pilot-lines", "Pilot lines converted", -300, 100),
       ("all-lines", "All lines converted", 100, 50))),
    Ini("service-academy", "Field service academy",
      "A certified curriculum for every field technician.", "people", 30, 400, 600_000, None,
      ("people", "customer-service"), 2,
      ((P, "customer-service", CROSS),),
      (("learn-every-year", 1.0), ("resolve-first-time", 0.5)), (("customers-recommend", 0.3),),
      (("curriculum", "Curriculum designed", 90, 0),
       ("first-cohort", "First cohort certified", 300, 0)), "learning"),
    Ini("new-erp", "Replace the ERP system",
      "One system for orders, stock, purchasing and finance.", "it", -300, 250, 2_500_000,
      "technology", ("it", "supply-chain", "finance"), 3,
      ((P, "supply-chain", CROSS), (P, "operations", VERT)),
      (("reliable-suppliers", 1.0), ("right-sized-stock", 0.5)), (("revenue-3x", 0.05),),
      (("vendor-selected", "Vendor selected", -250, 100),
       ("data-migration", "Data migrated", -45, 50),
       ("go-live", "Go live", 200, 0))),
)
# fmt: on
