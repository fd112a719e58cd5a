"""The demo KPIs: what each measures, who owns it, whom it serves, and how its target is set."""

from __future__ import annotations

from dataclasses import dataclass

from aligna.demo import templates as tpl
from aligna.demo.targets import TargetPlan


@dataclass(frozen=True)
class KpiSpec:
    """A KPI as the strategy office would write it, with template units instead of ids."""

    id: str
    name: str
    definition: str
    unit_of_measure: str
    polarity: str
    frequency: str
    aggregation: str
    unit: str  # template unit whose business scorecard it is on
    owner_from: str  # template unit whose head should own it
    process: str | None
    plan: TargetPlan | None = None  # None for a within-range KPI: it has a band
    breakdown: tuple[str, str, tuple[str, ...]] | None = None  # unit kind, total, roles with data
    influencers: tuple[tuple[str, str, str], ...] = ()  # (person | unit, template unit, kind)
    objectives: tuple[tuple[str, float], ...] = ()
    public: bool = False
    staleness_days: int | None = None
    manual: bool = False
    owner_team: str | None = None  # prefer the lead of the first team of this type as owner


HIB, LIB, BAND = "higher_is_better", "lower_is_better", "within_range"
P, U = "person", "unit"
LAT, VERT, CROSS = "lateral", "vertical", "cross_functional"

# fmt: off
KPIS: tuple[KpiSpec, ...] = (
    # --- Sales -------------------------------------------------------------------------------
    KpiSpec("revenue", "Revenue", "Value of customer orders taken, net of discounts.",
            "EUR", HIB, "month", "sum", "commercial", "commercial", "sales",
            TargetPlan("at_risk", shape="compound", red_pct=8),
            breakdown=("region", "sum", ()),
            influencers=((P, "marketing", LAT), (P, "company", VERT),
                         (U, "customer-service", CROSS)),
            objectives=(("grow-profitably", 2), ("win-new-markets", 1)), public=True),
    KpiSpec("order-intake", "Order intake", "Number of customer orders taken in the week.",
            "orders", HIB, "week", "sum", "commercial", "region-north", "sales",
            TargetPlan("at_risk", 0.15, stretch_pct=5),
            influencers=((P, "marketing", LAT), (U, "customer-service", CROSS)),
            objectives=(("grow-order-intake", 1),)),
    KpiSpec("average-order-value", "Average order value",
            "Mean value of an order, net of discounts.", "EUR", HIB, "month", "mean",
            "commercial", "marketing", "sales", TargetPlan("on_track", 0.08, red_style="value"),
            influencers=((P, "product-design", CROSS),),
            objectives=(("win-new-markets", 0.5),)),
    KpiSpec("new-product-revenue-share", "Revenue from new products",
            "Share of revenue from products launched in the last three years.", "%", HIB,
            "quarter", "mean", "engineering", "product-design", "product-development",
            TargetPlan("on_track", 0.3, stretch_pct=10, max_change=1.5),
            influencers=((P, "marketing", CROSS), (U, "test-certification", LAT)),
            objectives=(("renew-the-range", 1), ("launch-smart-pumps", 1))),
    # --- Production --------------------------------------------------------------------------
    KpiSpec("units-produced", "Pumps produced", "Good pumps off the lines in the day.",
            "pumps", HIB, "day", "sum", "manufacturing", "manufacturing", "production",
            TargetPlan("on_track", 0.1, red_pct=15, overrides=((40, 0.1),)),
            influencers=((P, "supply-chain", LAT), (U, "distribution", CROSS)),
            objectives=(("deliver-on-time", 0.5),)),
    KpiSpec("scrap-rate", "Scrap rate", "Share of pumps started that fail inspection.", "%",
            LIB, "month", "mean", "manufacturing", "manufacturing", "production",
            TargetPlan("on_track", 0.2, red_pct=15, stretch_pct=10),
            breakdown=("team", "mean", (tpl.PRODUCTION,)),
            influencers=((P, "supply-chain", CROSS), (P, "test-certification", CROSS)),
            objectives=(("reduce-scrap", 1), ("cut-energy-use", 0.5))),
    KpiSpec("energy-per-pump", "Energy per pump",
            "Electricity and gas used by the plants per good pump produced.", "kWh", LIB,
            "quarter", "mean", "manufacturing", "operations", "production",
            TargetPlan("on_track", shape="compound", stretch_pct=5),
            influencers=((P, "engineering", CROSS), (U, "manufacturing", VERT)),
            objectives=(("cut-energy-use", 2), ("operate-sustainably", 1)), public=True),
    KpiSpec("lost-time-incidents", "Lost-time incidents",
            "Safety incidents in which someone could not work the next day.", "incidents", LIB,
            "month", "sum", "operations", "operations", "production",
            TargetPlan("on_track", 0.3, red_pct=50, red_style="absolute", red_floor=1),
            influencers=((P, "people", CROSS), (U, "manufacturing", VERT)),
            objectives=(("safe-workplaces", 1),), public=True, staleness_days=60),
    # --- Procurement -------------------------------------------------------------------------
    KpiSpec("supplier-on-time", "Supplier on-time delivery",
            "Share of supplier deliveries received on or before the promised date.", "%", HIB,
            "month", "mean", "supply-chain", "supply-chain", "procurement",
            TargetPlan("off_track", 0.04, red_pct=5, overrides=((120, 0.95),)),
            influencers=((P, "it", CROSS), (P, "manufacturing", LAT)),
            objectives=(("reliable-suppliers", 1),)),
    KpiSpec("inventory-days", "Finished-goods stock cover",
            "Days of average demand the finished-goods stock would cover, at the week's end.",
            "days", BAND, "week", "last", "supply-chain", "supply-chain", "procurement",
            influencers=((P, "commercial", CROSS), (U, "distribution", LAT)),
            objectives=(("right-sized-stock", 1),)),
    # --- Delivery ----------------------------------------------------------------------------
    KpiSpec("on-time-delivery", "On-time delivery",
            "Share of orders delivered on or before the date promised to the customer.", "%",
            HIB, "month", "mean", "distribution", "distribution", "delivery",
            TargetPlan("off_track", 0.03, red_pct=4, stretch_pct=2),
            breakdown=("team", "mean", (tpl.DELIVERY,)),
            influencers=((P, "manufacturing", LAT), (P, "operations", VERT),
                         (U, "customer-service", CROSS)),
            objectives=(("deliver-on-time", 2), ("reliable-delivery-promises", 1)), public=True),
    KpiSpec("delivery-cost", "Delivery cost per order",
            "Mean cost of delivering an order: carriers, fuel and drivers' time.", "EUR", LIB,
            "month", "mean", "distribution", "distribution", "delivery",
            TargetPlan("at_risk", 0.08),
            influencers=((P, "finance", CROSS),),
            objectives=(("control-delivery-cost", 1),)),
    # --- After-sales -------------------------------------------------------------------------
    KpiSpec("resolution-time", "Ticket resolution time",
            "Mean hours from a support ticket being opened to its resolution.", "hours", LIB,
            "month", "mean", "customer-service", "customer-service", "after-sales",
            TargetPlan("at_risk", 0.15),
            breakdown=("team", "mean", (tpl.SUPPORT, tpl.FIELD_SERVICE)),
            influencers=((P, "people", CROSS), (P, "commercial", VERT)),
            objectives=(("fix-problems-fast", 1),)),
    KpiSpec("first-contact-resolution", "First-contact resolution",
            "Share of desk tickets solved in the first conversation.", "%", HIB, "week", "mean",
            "customer-service", "customer-service", "after-sales",
            TargetPlan("on_track", 0.08, red_style="value", stretch_pct=5),
            influencers=((P, "product-design", CROSS), (P, "people", CROSS)),
            objectives=(("resolve-first-time", 1),)),
    KpiSpec("support-backlog", "Open support tickets",
            "Tickets still open at the end of the day.", "tickets", LIB, "day", "last",
            "customer-service", "customer-service", "after-sales",
            TargetPlan("off_track", 0.2, red_pct=20),
            influencers=((P, "people", CROSS),),
            objectives=(("keep-backlog-low", 1),), staleness_days=5),
    KpiSpec("net-promoter-score", "Net promoter score",
            "Customers who would recommend us (9-10) minus those who would not (0-6), in points.",
            "points", HIB, "quarter", "mean", "commercial", "commercial", "after-sales",
            TargetPlan("on_track", red_pct=10, red_style="absolute"),
            influencers=((P, "distribution", CROSS), (P, "company", VERT),
                         (U, "product-design", CROSS)),
            objectives=(("delight-customers", 2),), public=True),
    KpiSpec("warranty-claims-rate", "Warranty claims per 1,000 pumps",
            "Warranty claims in the month per 1,000 pumps delivered in the month.",
            "claims per 1,000 pumps", LIB, "month", "mean", "engineering", "test-certification",
            "after-sales", TargetPlan("at_risk", shape="compound"),
            influencers=((P, "manufacturing", CROSS), (U, "customer-service", LAT)),
            objectives=(("build-pumps-that-last", 2),)),
    # --- Recruitment -------------------------------------------------------------------------
    KpiSpec("time-to-hire", "Time to hire",
            "Mean days from opening a position to an accepted offer.", "days", LIB, "month",
            "mean", "people", "people", "recruitment", TargetPlan("off_track", 0.15),
            influencers=((P, "operations", CROSS), (P, "finance", LAT)),
            objectives=(("hire-well", 1),)),
    KpiSpec("offer-acceptance-rate", "Offer acceptance rate",
            "Share of job offers that candidates accept.", "%", HIB, "quarter", "mean", "people",
            "people", "recruitment", TargetPlan("at_risk", 0.05, red_pct=6),
            influencers=((P, "finance", CROSS),),
            objectives=(("hire-well", 0.5),)),
    KpiSpec("voluntary-attrition", "Voluntary attrition",
            "People who chose to leave in the quarter, as a share of the average headcount.", "%",
            LIB, "quarter", "sum", "people", "people", "recruitment",
            TargetPlan("on_track", 0.15, red_pct=20),
            influencers=((U, "company", VERT),),
            objectives=(("grow-our-people", 1),)),
    # --- Training ----------------------------------------------------------------------------
    KpiSpec("training-hours", "Training hours per employee",
            "Hours of completed training in the quarter per employee.", "hours", HIB, "quarter",
            "sum", "people", "people", "training", TargetPlan("at_risk", 0.25),
            owner_team="learning",
            influencers=((P, "operations", CROSS), (P, "customer-service", CROSS)),
            objectives=(("learn-every-year", 1),)),
    KpiSpec("training-completion", "Training completion",
            "Share of people enrolled in a training session who completed it.", "%", HIB,
            "month", "mean", "people", "people", "training", TargetPlan("on_track", 0.05),
            owner_team="learning",
            objectives=(("learn-every-year", 0.5),)),
    # --- Objective-level KPIs: they measure no single process ---------------------------
    KpiSpec("gross-margin", "Gross margin",
            "Revenue minus the cost of the goods sold, as a share of revenue.", "%", HIB,
            "quarter", "mean", "company", "finance", None,
            TargetPlan("at_risk", 0.05, red_pct=5, red_style="absolute", red_floor=0.5),
            influencers=((P, "manufacturing", CROSS), (P, "commercial", LAT)),
            objectives=(("protect-margins", 2),), public=True),
    KpiSpec("employee-engagement", "Employee engagement",
            "Score of the quarterly engagement pulse survey (0-100), entered by People.",
            "points", HIB, "quarter", "mean", "company", "people", None,
            TargetPlan("on_track", 0.15, red_pct=5),
            influencers=((U, "company", VERT),),
            objectives=(("grow-our-people", 1),), manual=True,
            owner_team="people-operations"),
)

# Vision targets: (id, name pattern, KPI, how the value derives from the last complete year,
# projection, initiatives' coverage of the gap)
VISION_TARGETS: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("revenue-3x", "Revenue three times its {year} level", "revenue", "times3", "compound", 0.8),
    ("customers-recommend", "Customers recommend us: NPS {value}", "net-promoter-score",
     "plus30", "linear", 1.1),
    ("pumps-that-last", "Warranty claims down to {value} per 1,000 pumps",
     "warranty-claims-rate", "times0.4", "compound", 0.6),
    ("energy-halved", "Half the energy per pump of {year}", "energy-per-pump", "times0.5",
     "linear", 0.9),
)
# fmt: on
