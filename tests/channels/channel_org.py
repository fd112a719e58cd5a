"""A small organisation built in code for the channel tests, with a known reporting line.

Cleo (CEO) <- Vic (VP) <- Max (manager) <- Olga (owner of the KPI `delivery`)
Ines influences `delivery` (cross-functional); Fred follows it; Nia is unrelated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlalchemy import Engine

from aligna import model as m
from aligna.db import session_scope
from aligna.enums import Aggregation, Frequency, InfluencerKind, Polarity, Role
from aligna.evaluate.outputs import reconcile_exceptions


@dataclass(frozen=True)
class Org:
    """The ids the tests talk about."""

    unit: int
    cleo: int
    vic: int
    max: int
    olga: int
    ines: int
    fred: int
    nia: int
    kpi: int


def build_org(engine: Engine) -> Org:
    """Create the organisation, the KPI, its influencer, scorecard item and follower."""
    with session_scope(engine) as session:
        unit = m.Unit(slug="org", name="Org", kind="company")
        session.add(unit)
        session.flush()
        ids: dict[str, int] = {}
        manager: int | None = None
        for slug, name in (("cleo", "Cleo"), ("vic", "Vic"), ("max", "Max"), ("olga", "Olga")):
            person = m.Person(
                slug=slug,
                name=name,
                email=f"{slug}@example.org",
                unit_id=unit.id,
                manager_id=manager,
            )
            session.add(person)
            session.flush()
            ids[slug] = manager = person.id
        for slug, name in (("ines", "Ines"), ("fred", "Fred"), ("nia", "Nia")):
            person = m.Person(
                slug=slug,
                name=name,
                email=f"{slug}@example.org",
                unit_id=unit.id,
                manager_id=ids["cleo"],
            )
            session.add(person)
            session.flush()
            ids[slug] = person.id
        kpi = m.Kpi(
            slug="delivery",
            name="On-time delivery",
            polarity=Polarity.higher_is_better,
            frequency=Frequency.month,
            aggregation=Aggregation.mean,
            owner_id=ids["olga"],
            unit_id=unit.id,
            source_manual=True,
            unit_of_measure="%",
        )
        session.add(kpi)
        session.flush()
        session.add(
            m.KpiInfluencer(
                kpi_id=kpi.id, person_id=ids["ines"], kind=InfluencerKind.cross_functional
            )
        )
        session.add(
            m.ScorecardItem(person_id=ids["olga"], kpi_id=kpi.id, role=Role.accountable, weight=1.0)
        )
        session.add(m.Follow(person_id=ids["fred"], kpi_id=kpi.id))
        return Org(unit=unit.id, kpi=kpi.id, **ids)


def off_track(org: Org) -> pl.DataFrame:
    """The wanted exceptions when `delivery` is off track."""
    return pl.DataFrame(
        [
            {
                "key": f"off_track:kpi={org.kpi}:unit=-",
                "kind": "off_track",
                "kpi": org.kpi,
                "unit": None,
                "initiative": None,
                "milestone": None,
                "period": "2026-10",
                "detail": "On-time delivery was 81% in 2026-10 against a target of 95%",
            }
        ],
        schema={
            "key": pl.Utf8,
            "kind": pl.Utf8,
            "kpi": pl.Int64,
            "unit": pl.Int64,
            "initiative": pl.Int64,
            "milestone": pl.Int64,
            "period": pl.Utf8,
            "detail": pl.Utf8,
        },
    )


def reconcile(engine: Engine, org: Org, wanted: pl.DataFrame, now: datetime) -> None:
    """What an evaluation does with its wanted exceptions, in one transaction."""
    with session_scope(engine) as session:
        reconcile_exceptions(session, wanted, {("kpi", org.kpi): org.olga}, now)
