"""Warehouse data of operations: production runs, supplier receipts, stock and incidents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from aligna.demo.data_sales import PRODUCTS, Demand, pick_products
from aligna.demo.staffing import Staffing
from aligna.demo.timeline import Timeline, dates, draw_events, labels, money, weighted_choice

LEAN_PILOT_DAYS_AGO = 300  # lean assembly on the pilot lines: scrap drops there
LEAN_WAVE_DAYS_AGO = 120  # the second wave of lines converted
HEAT_RECOVERY_DAYS_AGO = 200  # heat recovery goes live: energy per pump steps down
SHUTDOWN_DAYS_AGO = 40  # a planned maintenance shutdown (its target is overridden)
ERP_MIGRATION_DAYS_AGO = 45  # the ERP data migration: late receipts and swelling stock
INCIDENT_KINDS = ("slip or trip", "manual handling", "machinery", "vehicle", "electrical")


def production_runs_table(
    rng: np.random.Generator, tl: Timeline, staff: Staffing, dm: Demand
) -> pa.Table:
    """Production runs: one team's output of one product in a shift."""
    runs_per_day = 2 + 0.004 * staff.people
    # Plants run round the clock with lighter weekend crews, and build ahead of the season.
    shape = tl.season(peak_doy=130, amplitude=0.2) * tl.weekly([1, 1, 1, 1, 1, 0.9, 0.8])
    rate = runs_per_day * tl.growth(1.08) * shape
    rate[tl.days == tl.day_of(SHUTDOWN_DAYS_AGO)] *= 0.1
    day_index = draw_events(rng, rate)
    size = len(day_index)
    group = staff.production
    team = group.pick(rng, size)
    product = pick_products(rng, dm.mix, day_index)
    per_run = dm.units.mean() * 1.03 / runs_per_day / tl.growth(1.08).mean()
    started = 1 + rng.poisson(per_run * tl.growth(1.08)[day_index])
    since = tl.days[day_index]
    pilot = group.every(2)[team] & (since >= tl.day_of(LEAN_PILOT_DAYS_AGO))
    wave = group.every(4, 1)[team] & (since >= tl.day_of(LEAN_WAVE_DAYS_AGO))
    team_effect = rng.lognormal(0.0, 0.15, len(group.ids))[team]
    scrap_rate = 0.034 * np.power(0.96, tl.t[day_index]) * team_effect
    scrap_rate *= np.where(pilot, 0.7, 1.0) * np.where(wave, 0.8, 1.0)
    scrapped = rng.binomial(started, np.clip(scrap_rate, 0, 0.5))
    good = started - scrapped
    energy = 44.0 * np.power(0.975, tl.t[day_index])
    energy *= np.where(since >= tl.day_of(HEAT_RECOVERY_DAYS_AGO), 0.85, 1.0)
    kwh = good * energy * rng.lognormal(0.0, 0.06, size) + 35.0
    return pa.table(
        {
            "run_id": np.arange(1, size + 1, dtype=np.int64),
            "run_on": dates(since),
            "team_id": labels(team, group.ids),
            "product_id": labels(product, [p[0] for p in PRODUCTS]),
            "units_started": started.astype(np.int32),
            "units_scrapped": scrapped.astype(np.int32),
            "units_good": good.astype(np.int32),
            "energy_kwh": np.round(kwh, 1),
        }
    )


def supplier_receipts_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Goods received from suppliers against the date they promised."""
    rate = (1 + 0.0006 * staff.people) * tl.growth(1.07) * tl.weekly([1, 1, 1, 1, 1, 0, 0])
    day_index = draw_events(rng, rate)
    size = len(day_index)
    promised = tl.days[day_index]
    migration = promised >= tl.day_of(ERP_MIGRATION_DAYS_AGO)
    on_time = rng.random(size) < 0.93 - 0.12 * migration
    received = np.where(
        on_time, promised - rng.integers(0, 3, size), promised + rng.geometric(0.35, size)
    )
    idx = np.flatnonzero((received <= tl.days[-1]) & (received >= tl.days[0]))
    suppliers = 20 + staff.people // 500
    value = rng.lognormal(np.log(2500.0 + staff.people * 1.5), 0.8, size)
    return pa.table(
        {
            "receipt_id": np.arange(1, len(idx) + 1, dtype=np.int64),
            "promised_on": dates(promised[idx]),
            "received_on": dates(received[idx]),
            "supplier_id": rng.integers(1, suppliers + 1, size, dtype=np.int64)[idx],
            "team_id": labels(staff.procurement.pick(rng, size)[idx], staff.procurement.ids),
            "value_eur": money(value[idx]),
        }
    )


def inventory_table(rng: np.random.Generator, tl: Timeline, dm: Demand) -> pa.Table:
    """Finished-goods stock per product at the end of each day, with average daily demand."""
    cover = np.empty(tl.size)
    level, noise = 27.0, rng.normal(0.0, 0.9, tl.size)
    for d in range(tl.size):  # an AR(1) around the planned cover: stock plans lag demand
        level = 27.0 + 0.92 * (level - 27.0) + noise[d]
        cover[d] = level
    cover += 3.0 * np.sin(2 * np.pi * (tl.doy - 60) / 365.25)  # stock built before the season
    after = tl.days - tl.day_of(ERP_MIGRATION_DAYS_AGO)
    cover += np.clip(after / 30.0, 0.0, 1.0) * 9.0  # the migration left stock piling up
    daily_demand = dm.units[:, None] * dm.mix
    on_hand = daily_demand * cover[:, None] * rng.lognormal(0.0, 0.1, daily_demand.shape)
    day, product = np.nonzero(daily_demand > 0)
    return pa.table(
        {
            "snapshot_on": dates(tl.days[day]),
            "product_id": labels(product, [p[0] for p in PRODUCTS]),
            "units_on_hand": np.round(on_hand[day, product]).astype(np.int64),
            "daily_demand": np.round(daily_demand[day, product], 2),
        }
    )


def incidents_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Safety incidents at work, by the unit where they happened."""
    rate = (0.1 + 0.00008 * staff.people) * np.power(0.95, tl.t)
    day_index = draw_events(rng, rate)
    size = len(day_index)
    unit = weighted_choice(rng, staff.everyone.weights * staff.hazard, size)
    severity = weighted_choice(rng, np.array([0.7, 0.25, 0.05]), size)
    lost_time = rng.random(size) < np.where(severity > 0, 0.6, 0.08) * np.power(
        0.95, tl.t[day_index]
    )
    return pa.table(
        {
            "incident_id": np.arange(1, size + 1, dtype=np.int64),
            "occurred_on": dates(tl.days[day_index]),
            "unit_id": labels(unit, staff.everyone.ids),
            "severity": labels(severity, ["minor", "moderate", "serious"]),
            "kind": labels(rng.integers(0, len(INCIDENT_KINDS), size), INCIDENT_KINDS),
            "lost_time": lost_time,
        }
    )
