"""Warehouse data of the sales side: products, orders, deliveries and customer surveys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from aligna.demo.staffing import Staffing
from aligna.demo.timeline import (
    Timeline,
    dates,
    draw_events,
    labels,
    money,
    weighted_choice,
)

# id, name, family, launched (days before today), list price EUR, unit cost EUR, demand weight
PRODUCTS: tuple[tuple[str, str, str, int, float, float, float], ...] = (
    ("bh-200", "Borehole 200", "Borehole", 4015, 1450.0, 810.0, 1.0),
    ("bh-400", "Borehole 400", "Borehole", 3100, 2650.0, 1480.0, 0.6),
    ("sf-50", "Surface 50", "Surface", 5120, 420.0, 235.0, 1.6),
    ("sf-90", "Surface 90", "Surface", 2650, 690.0, 385.0, 1.2),
    ("ir-300", "IrriFlow 300", "Irrigation", 2780, 1980.0, 1110.0, 0.9),
    ("ir-600", "IrriFlow 600", "Irrigation", 2420, 3900.0, 2280.0, 0.4),
    ("hb-20", "HomeBoost 20", "Domestic booster", 2330, 310.0, 168.0, 1.8),
    ("cf-10", "ClearFlow Filter 10", "Filtration", 1480, 260.0, 118.0, 1.0),
    ("hb-40", "HomeBoost 40", "Domestic booster", 820, 780.0, 410.0, 0.6),
    ("cf-30", "ClearFlow Filter 30", "Filtration", 510, 890.0, 420.0, 0.4),
    ("sm-100", "Tidewell Smart 100", "Smart pumps", 420, 1850.0, 975.0, 0.9),
    ("sm-250", "Tidewell Smart 250", "Smart pumps", 150, 3400.0, 1790.0, 0.5),
)
RAMP_DAYS = 180  # a new product takes half a year to reach its full share of demand
PRICE_RISE_DAYS_AGO, PRICE_RISE = 400, 1.04
CARRIER_CHANGE_DAYS_AGO = 150  # a new carrier for a third of the delivery teams: late deliveries
REVENUE_PER_PERSON = 180_000.0  # EUR per year, so that order sizes grow with the company


@dataclass(frozen=True)
class Demand:
    """Expected demand per day: orders, pumps, and the product mix (days x products)."""

    orders: np.ndarray
    units: np.ndarray
    mix: np.ndarray
    by_region: np.ndarray  # regions x days: expected orders
    quantity: float  # mean pumps per order


def product_mix(tl: Timeline) -> np.ndarray:
    """Each day's share of demand per product; new products ramp up after their launch."""
    launched = np.array([tl.day_of(p[3]) for p in PRODUCTS])
    weight = np.array([p[6] for p in PRODUCTS])
    age = tl.days[:, None] - launched[None, :]
    share = weight[None, :] * np.clip(age / RAMP_DAYS, 0.0, 1.0)
    return share / share.sum(axis=1, keepdims=True)


def demand(tl: Timeline, staff: Staffing) -> Demand:
    """The demand behind orders, production, stock and claims: growth and seasons."""
    n = staff.people
    per_day = 3 + 0.008 * n
    season = tl.season(peak_doy=160, amplitude=0.25)  # irrigation season peaks in June
    week = tl.weekly([1.2, 1.2, 1.15, 1.15, 1.05, 0.5, 0.25])
    shares = staff.region_weights / staff.region_weights.sum()
    growth = np.power(staff.region_growth[:, None], tl.years_before_end[None, :])
    by_region = per_day * shares[:, None] * growth * (season * week)[None, :]
    mix = product_mix(tl)
    price = float((mix[-1] * np.array([p[4] for p in PRODUCTS])).sum())
    quantity = max(1.3, REVENUE_PER_PERSON * n / 365 / per_day / price)
    orders = by_region.sum(axis=0)
    return Demand(orders, orders * quantity, mix, by_region, quantity)


def products_table(tl: Timeline) -> pa.Table:
    """The product catalogue."""
    return pa.table(
        {
            "product_id": [p[0] for p in PRODUCTS],
            "name": [p[1] for p in PRODUCTS],
            "family": [p[2] for p in PRODUCTS],
            "launched_on": dates(np.array([tl.day_of(p[3]) for p in PRODUCTS])),
            "list_price_eur": [p[4] for p in PRODUCTS],
            "unit_cost_eur": [p[5] for p in PRODUCTS],
        }
    )


def pick_products(rng: np.random.Generator, mix: np.ndarray, day_index: np.ndarray) -> np.ndarray:
    """A product per event, drawn from the mix of the event's day."""
    days, count = mix.shape
    # Row d of the shifted cumulative mix lies in (d, d + 1]: one sorted array serves every day.
    shifted = (np.cumsum(mix, axis=1) + np.arange(days)[:, None]).ravel()
    position = np.searchsorted(shifted, day_index + rng.random(len(day_index)), side="right")
    return np.clip(position - day_index * count, 0, count - 1)


def orders_table(rng: np.random.Generator, tl: Timeline, staff: Staffing, dm: Demand) -> pa.Table:
    """Orders: one row per customer order, taken by a sales team."""
    parts = []
    for r in range(len(staff.regions)):
        day_index = draw_events(rng, dm.by_region[r])
        members = np.flatnonzero(staff.sales_region == r)
        team = members[weighted_choice(rng, staff.sales.weights[members], len(day_index))]
        parts.append((day_index, team))
    day_index = np.concatenate([p[0] for p in parts])
    team = np.concatenate([p[1] for p in parts])
    order = np.argsort(day_index, kind="stable")  # chronological order ids
    day_index, team = day_index[order], team[order]
    size = len(day_index)
    export = np.array([r.endswith("export") for r in staff.regions])[staff.sales_region[team]]
    product = pick_products(rng, dm.mix, day_index)
    quantity = 1 + rng.poisson(dm.quantity - 1, size)
    price = np.array([p[4] for p in PRODUCTS])[product]
    price = np.where(tl.since(PRICE_RISE_DAYS_AGO)[day_index], price * PRICE_RISE, price)
    discount = rng.uniform(0.0, 0.12, size) + 0.05 * export
    # Input costs creep up faster than prices: the gross margin slowly erodes.
    cost = np.array([p[5] for p in PRODUCTS])[product] * (1 + 0.035 * tl.t[day_index])
    ordered = tl.days[day_index]
    customers = 40 + staff.people // 2
    return pa.table(
        {
            "order_id": np.arange(1, size + 1, dtype=np.int64),
            "ordered_on": dates(ordered),
            "promised_on": dates(ordered + 2 + rng.integers(0, 4, size) + 6 * export),
            "customer_id": rng.integers(1, customers + 1, size, dtype=np.int64),
            "sales_team": labels(team, staff.sales.ids),
            "product_id": labels(product, [p[0] for p in PRODUCTS]),
            "quantity": quantity.astype(np.int32),
            "amount_eur": money(quantity * price * (1 - discount)),
            "cost_eur": money(quantity * cost * rng.normal(1.0, 0.02, size)),
        }
    )


def deliveries_table(
    rng: np.random.Generator, tl: Timeline, staff: Staffing, orders: pa.Table
) -> pa.Table:
    """Deliveries: one per order once delivered, by a delivery team, against a promised date."""
    ordered = orders.column("ordered_on").to_numpy().astype("datetime64[D]").astype(np.int64)
    promised = orders.column("promised_on").to_numpy().astype("datetime64[D]").astype(np.int64)
    quantity = orders.column("quantity").to_numpy()
    size = len(ordered)
    group = staff.delivery
    team = group.pick(rng, size)
    team_effect = rng.normal(0.0, 0.015, len(group.ids))[team]
    years = (ordered - tl.days[0]) / 365.25
    affected = group.every(3)[team] & (ordered >= tl.day_of(CARRIER_CHANGE_DAYS_AGO))
    busy = np.cos(2 * np.pi * (ordered - tl.days[0] - 160) / 365.25) > 0.7  # peak-season strain
    p_on_time = np.clip(0.93 + 0.012 * years + team_effect - 0.11 * affected - 0.02 * busy, 0.4, 1)
    on_time = rng.random(size) < p_on_time
    shipped = ordered + 1 + (rng.random(size) < 0.3)
    early = np.maximum(promised - rng.integers(0, 2, size), shipped)
    late = promised + rng.geometric(0.45, size)
    delivered = np.where(on_time, early, late)
    keep = delivered <= tl.days[-1]  # later ones are still on their way
    idx = np.flatnonzero(keep)
    export = promised - ordered >= 8
    cost = 26.0 * (1 + 0.05 * years) * rng.lognormal(0.0, 0.25, size) * (1 + 0.02 * quantity)
    return pa.table(
        {
            "delivery_id": np.arange(1, len(idx) + 1, dtype=np.int64),
            "order_id": orders.column("order_id").to_numpy()[idx],
            "team_id": labels(team[idx], group.ids),
            "shipped_on": dates(shipped[idx]),
            "promised_on": dates(promised[idx]),
            "delivered_on": dates(delivered[idx]),
            "units": quantity[idx],
            "cost_eur": money((cost * np.where(export, 3.0, 1.0))[idx]),
        }
    )


def nps_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Net-promoter survey answers (0-10) from customers, by region."""
    day_index = draw_events(rng, np.full(tl.size, 1 + 0.0004 * staff.people))
    size = len(day_index)
    years = tl.t[day_index]
    late_pain = tl.since(CARRIER_CHANGE_DAYS_AGO)[day_index]  # late deliveries cost goodwill
    promoters = 0.42 + 0.015 * years
    detractors = 0.17 - 0.006 * years + 0.05 * late_pain
    u = rng.random(size)
    score = np.where(
        u < promoters,
        9 + (rng.random(size) < 0.45),
        np.where(
            u < 1 - detractors,
            7 + (rng.random(size) < 0.55),
            weighted_choice(rng, np.array([1, 1, 1, 2, 3, 5, 8], dtype=float), size),
        ),
    )
    region = weighted_choice(rng, staff.region_weights, size)
    return pa.table(
        {
            "response_id": np.arange(1, size + 1, dtype=np.int64),
            "answered_on": dates(tl.days[day_index]),
            "region": labels(region, staff.regions),
            "score": score.astype(np.int8),
        }
    )
