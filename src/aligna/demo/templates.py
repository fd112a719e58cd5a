"""The shape of the demo company: divisions, departments, sales regions and team types."""

from __future__ import annotations

from dataclasses import dataclass

# Data roles: which warehouse rows a team produces, so breakdowns only slice teams with data.
PRODUCTION = "production"
DELIVERY = "delivery"
SALES = "sales"
SUPPORT = "support"
FIELD_SERVICE = "field_service"
PROCUREMENT = "procurement"
RECRUITMENT = "recruitment"


@dataclass(frozen=True, slots=True)
class TeamType:
    """A kind of team a department is made of; member titles repeat to make some commoner."""

    key: str
    name: str
    lead_title: str
    member_titles: tuple[str, ...]
    weight: float
    role: str | None = None


@dataclass(frozen=True, slots=True)
class DepartmentTemplate:
    """A department (or sales region) with its share of the headcount and its team types."""

    id: str
    name: str
    division: str
    head_title: str
    share: float
    min_people: int
    team_types: tuple[TeamType, ...]
    kind: str = "department"
    site_word: str = ""  # how large departments group teams: "Plant Alderbury", ...
    site_head: str = "Group Manager"
    section_head: str = "Section Manager"


@dataclass(frozen=True, slots=True)
class DivisionTemplate:
    """A division under the company."""

    id: str
    name: str
    head_title: str
    min_people: int


DIVISIONS: tuple[DivisionTemplate, ...] = (
    DivisionTemplate("operations", "Operations", "Chief Operating Officer", 0),
    DivisionTemplate("commercial", "Commercial", "Chief Commercial Officer", 0),
    DivisionTemplate("engineering", "Product & Engineering", "Chief Technology Officer", 60),
    DivisionTemplate("corporate", "Corporate Services", "Chief Financial Officer", 40),
)

Team = TeamType
Dept = DepartmentTemplate
# A department exists once the company has `min_people`; below that its work falls to its
# division (or the company). `share` is its part of the headcount.
# fmt: off
_OPERATIONS: tuple[DepartmentTemplate, ...] = (
    Dept("manufacturing", "Manufacturing", "operations", "Head of Manufacturing", 0.30, 0, (
        Team("assembly", "Assembly", "Assembly Team Lead",
             ("Assembly Technician", "Assembly Technician", "Senior Assembly Technician",
              "Machine Operator"), 0.60, PRODUCTION),
        Team("machining", "Machining", "Machining Team Lead",
             ("CNC Machinist", "CNC Machinist", "Machine Setter"), 0.25, PRODUCTION),
        Team("quality", "Quality", "Quality Team Lead",
             ("Quality Inspector", "Quality Engineer"), 0.10),
        Team("maintenance", "Maintenance", "Maintenance Team Lead",
             ("Maintenance Technician", "Electrician"), 0.05),
    ), site_word="Plant", site_head="Plant Manager", section_head="Production Manager"),
    Dept("supply-chain", "Supply Chain", "operations", "Head of Supply Chain", 0.06, 40, (
        Team("procurement", "Procurement", "Procurement Team Lead",
             ("Buyer", "Buyer", "Senior Buyer", "Supplier Quality Specialist"), 0.35,
             PROCUREMENT),
        Team("warehouse", "Warehouse", "Warehouse Team Lead",
             ("Warehouse Operative", "Warehouse Operative", "Forklift Driver",
              "Stock Controller"), 0.40),
        Team("planning", "Planning", "Planning Team Lead",
             ("Supply Planner", "Demand Planner"), 0.25),
    ), site_word="Hub", site_head="Hub Manager"),
    Dept("distribution", "Distribution", "operations", "Head of Distribution", 0.16, 0, (
        Team("delivery", "Delivery", "Delivery Team Lead",
             ("Delivery Driver", "Delivery Driver", "Installer Driver", "Loader"), 0.85,
             DELIVERY),
        Team("route-planning", "Route Planning", "Route Planning Lead",
             ("Route Planner", "Dispatcher"), 0.15),
    ), site_word="Depot", site_head="Depot Manager", section_head="Shift Manager"),
)

_COMMERCIAL: tuple[DepartmentTemplate, ...] = (
    Dept("marketing", "Marketing", "commercial", "Head of Marketing", 0.03, 80, (
        Team("brand", "Brand & Content", "Brand Lead",
             ("Content Designer", "Brand Manager"), 0.40),
        Team("digital-marketing", "Digital Marketing", "Digital Marketing Lead",
             ("Performance Marketer", "Marketing Analyst"), 0.35),
        Team("product-marketing", "Product Marketing", "Product Marketing Lead",
             ("Product Marketing Manager",), 0.25),
    )),
    Dept("customer-service", "Customer Service", "commercial", "Head of Customer Service",
         0.12, 0, (
        Team("support-desk", "Support Desk", "Support Team Lead",
             ("Customer Support Advisor", "Customer Support Advisor",
              "Technical Support Specialist"), 0.45, SUPPORT),
        Team("field-service", "Field Service", "Field Service Team Lead",
             ("Field Service Engineer", "Field Service Engineer", "Service Technician"), 0.55,
             FIELD_SERVICE),
    ), site_word="Service Centre", site_head="Service Centre Manager",
       section_head="Service Manager"),
)

_ENGINEERING: tuple[DepartmentTemplate, ...] = (
    Dept("product-design", "Product Design", "engineering", "Head of Product Design", 0.04, 60, (
        Team("hydraulics", "Hydraulics", "Hydraulics Lead",
             ("Hydraulic Engineer", "Design Engineer"), 0.40),
        Team("electronics", "Electronics & Software", "Electronics Lead",
             ("Embedded Software Engineer", "Electronics Engineer"), 0.40),
        Team("industrial-design", "Industrial Design", "Industrial Design Lead",
             ("Industrial Designer",), 0.20),
    )),
    Dept("test-certification", "Test & Certification", "engineering",
         "Head of Test & Certification", 0.02, 150, (
        Team("test-lab", "Test Lab", "Test Lab Lead", ("Test Engineer", "Lab Technician"), 0.70),
        Team("certification", "Certification", "Certification Lead",
             ("Compliance Engineer",), 0.30),
    )),
)

_CORPORATE: tuple[DepartmentTemplate, ...] = (
    Dept("people", "People", "corporate", "Head of People", 0.03, 40, (
        Team("recruitment", "Recruitment", "Recruitment Lead",
             ("Recruiter", "Recruitment Coordinator"), 0.35, RECRUITMENT),
        Team("learning", "Learning & Development", "Learning Lead",
             ("Learning Specialist", "Trainer"), 0.30),
        Team("people-operations", "People Operations", "People Operations Lead",
             ("HR Business Partner", "Payroll Specialist", "HR Administrator"), 0.35),
    )),
    Dept("finance", "Finance", "corporate", "Head of Finance", 0.03, 60, (
        Team("accounting", "Accounting", "Accounting Lead",
             ("Accountant", "Accounts Payable Clerk"), 0.55),
        Team("controlling", "Controlling", "Controlling Lead",
             ("Financial Controller", "Business Analyst"), 0.45),
    )),
    Dept("it", "IT", "corporate", "Head of IT", 0.03, 100, (
        Team("it-infrastructure", "IT Infrastructure", "Infrastructure Lead",
             ("Systems Engineer", "Network Engineer", "Service Desk Analyst"), 0.50),
        Team("business-applications", "Business Applications", "Applications Lead",
             ("ERP Analyst", "Software Developer", "Data Engineer"), 0.50),
    )),
)
# fmt: on


def _region(key: str, name: str, weight: float, min_people: int) -> DepartmentTemplate:
    """A sales region of the Commercial division: sales teams and key-account teams."""
    export = key == "export"
    sales = TeamType(
        f"sales-{key}",
        f"Sales {name}",
        "Sales Team Lead",
        ("Account Manager", "Sales Representative", "Sales Representative", "Inside Sales Advisor"),
        0.8,
        SALES,
    )
    key_accounts = TeamType(
        f"key-accounts-{key}",
        f"Key Accounts {name}",
        "Key Account Lead",
        ("Key Account Manager",),
        0.2,
        SALES,
    )
    return DepartmentTemplate(
        id=f"region-{key}",
        name="Export" if export else f"{name} Region",
        division="commercial",
        head_title="Export Sales Director" if export else f"Regional Sales Director, {name}",
        share=0.10 * weight,
        min_people=min_people,
        team_types=(sales, key_accounts),
        kind="region",
        site_word="Area",
        site_head="Area Sales Manager",
        section_head="Sales Manager",
    )


# Regions appear as the company grows; their growth rates differ in the warehouse data.
REGIONS: tuple[DepartmentTemplate, ...] = (
    _region("north", "North", 0.30, 0),
    _region("south", "South", 0.25, 60),
    _region("east", "East", 0.20, 150),
    _region("west", "West", 0.15, 300),
    _region("export", "Export", 0.10, 1000),
)

DEPARTMENTS: tuple[DepartmentTemplate, ...] = (
    *_OPERATIONS,
    *REGIONS,
    *_COMMERCIAL,
    *_ENGINEERING,
    *_CORPORATE,
)

STRATEGY_OFFICE = "strategy-office"
STRATEGY_HEAD_MIN_PEOPLE = 200  # below this the strategy office is a forum of executives

# Cross-functional squads under the strategy office; members join through people.csv `teams`.
SQUADS: tuple[tuple[str, str, str], ...] = (
    ("squad-smart-pump", "Squad: Smart Pump Launch", "smart-pump-launch"),
    ("squad-export", "Squad: Export Expansion", "export-expansion"),
    ("squad-predictive-service", "Squad: Predictive Service", "predictive-service"),
)
