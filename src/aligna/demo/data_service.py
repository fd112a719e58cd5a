"""Warehouse data of after-sales service: support tickets and warranty claims."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from aligna.demo.data_sales import PRODUCTS, Demand, pick_products
from aligna.demo.staffing import Staffing
from aligna.demo.timeline import Timeline, dates, draw_events, labels, money, nullable_dates

STAFF_SHORTAGE_DAYS_AGO = 90  # support desk short-staffed since then: slower resolution
SEAL_BATCH = ("sf-90", 240, 180)  # a faulty seal batch: claims spike between these days ago
CATEGORIES = ("no water", "low pressure", "noise", "leak", "controller or app", "installation")
FAILURE_MODES = ("seal", "motor", "bearing", "controller", "pressure switch", "impeller")


def tickets_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Support tickets: opened by customers, resolved by the support desk or in the field."""
    rate = (
        (2 + 0.003 * staff.people)
        * tl.growth(1.07)
        * tl.season(peak_doy=200, amplitude=0.2)
        * tl.weekly([1.3, 1.2, 1.1, 1.1, 1.0, 0.6, 0.4])
    )
    day_index = draw_events(rng, rate)
    size = len(day_index)
    opened = tl.days[day_index]
    field = rng.random(size) < 0.35
    support_team = staff.support.pick(rng, size)
    field_team = staff.field_service.pick(rng, size)
    ids = list(staff.support.ids) + [
        t for t in staff.field_service.ids if t not in staff.support.ids
    ]
    field_index = np.array([ids.index(t) for t in staff.field_service.ids])
    team = np.where(field, field_index[field_team], support_team)
    shortage = tl.since(STAFF_SHORTAGE_DAYS_AGO)[day_index]
    years = tl.t[day_index]
    mean_hours = np.where(field, 50.0, 18.0) * np.power(0.97, years)
    mean_hours = mean_hours * np.where(shortage, np.where(field, 1.12, 1.45), 1.0)
    sigma = 0.6
    hours = rng.lognormal(np.log(mean_hours) - sigma**2 / 2, sigma)
    opened_hour = rng.uniform(7.0, 19.0, size)
    closed = opened + np.floor((opened_hour + hours) / 24).astype(np.int64)
    done = closed <= tl.days[-1]  # the rest are still open: the backlog
    first_contact = rng.random(size) < (0.70 + 0.025 * years - 0.04 * shortage)
    return pa.table(
        {
            "ticket_id": np.arange(1, size + 1, dtype=np.int64),
            "opened_on": dates(opened),
            "closed_on": nullable_dates(closed, done),
            "team_id": labels(team, ids),
            "channel": labels(
                np.where(field, 2, rng.integers(0, 2, size)), ["phone", "email", "field"]
            ),
            "category": labels(rng.integers(0, len(CATEGORIES), size), CATEGORIES),
            "resolution_hours": pa.array(np.round(hours, 1), mask=~done),
            # Only desk tickets can be solved at the first contact; field visits have no answer.
            "first_contact_resolved": pa.array(first_contact, mask=field),
        }
    )


def warranty_claims_table(
    rng: np.random.Generator, tl: Timeline, staff: Staffing, dm: Demand
) -> pa.Table:
    """Warranty claims on pumps in the field, handled by field service teams."""
    rate_per_thousand = 9.0 * np.power(0.96, tl.t)
    day_index = draw_events(rng, dm.units * rate_per_thousand / 1000)
    product = pick_products(rng, dm.mix, day_index)
    code, first, last = SEAL_BATCH
    window = np.flatnonzero(tl.since(first) & ~tl.since(last))
    codes = [p[0] for p in PRODUCTS]
    # The faulty batch: an extra stream of seal failures on one product for two months.
    extra = draw_events(rng, dm.units[window] * 0.02 * dm.mix[window, codes.index(code)])
    extra_days = window[extra]
    day_index = np.concatenate([day_index, extra_days])
    product = np.concatenate([product, np.full(len(extra_days), codes.index(code))])
    mode = np.concatenate(
        [
            rng.integers(0, len(FAILURE_MODES), len(day_index) - len(extra_days)),
            np.zeros(len(extra_days), dtype=np.int64),
        ]
    )
    order = np.argsort(day_index, kind="stable")
    day_index, product, mode = day_index[order], product[order], mode[order]
    size = len(day_index)
    return pa.table(
        {
            "claim_id": np.arange(1, size + 1, dtype=np.int64),
            "claimed_on": dates(tl.days[day_index]),
            "product_id": labels(product, codes),
            "team_id": labels(staff.field_service.pick(rng, size), staff.field_service.ids),
            "failure_mode": labels(mode, FAILURE_MODES),
            "cost_eur": money(rng.lognormal(np.log(160.0), 0.5, size)),
        }
    )
