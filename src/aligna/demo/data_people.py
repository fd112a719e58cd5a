"""Warehouse data of people processes: job offers, leavers, headcount and training."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from aligna.demo.staffing import Staffing
from aligna.demo.timeline import EPOCH, Timeline, dates, draw_events, labels, nullable_dates

TIGHT_MARKET_DAYS_AGO = 240  # the labour market tightened: slower hiring, more offers declined
LEAVE_REASONS = ("voluntary", "retirement", "dismissal", "end of contract")
COURSES = (
    ("Safe lifting and handling", 3.0),
    ("Pump hydraulics basics", 6.0),
    ("Smart pump commissioning", 8.0),
    ("Customer conversations", 4.0),
    ("Lean problem solving", 7.0),
    ("First aid at work", 6.0),
    ("Electrical safety", 4.0),
    ("Leading a team review", 3.0),
)


def offers_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Job offers made to candidates, with the date the requisition opened."""
    rate = (0.03 + 0.00035 * staff.people) * tl.weekly([1, 1, 1, 1, 1, 0, 0])
    day_index = draw_events(rng, rate)
    size = len(day_index)
    offered = tl.days[day_index]
    tight = offered >= tl.day_of(TIGHT_MARKET_DAYS_AGO)
    accepted = rng.random(size) < 0.84 - 0.07 * tight
    mean_days = 34.0 + 2.0 * tl.t[day_index] + 11.0 * tight
    days_to_offer = np.maximum(5, np.round(rng.gamma(5.0, mean_days / 5.0)))
    starts = offered + 14 + rng.integers(0, 29, size)
    return pa.table(
        {
            "offer_id": np.arange(1, size + 1, dtype=np.int64),
            "requisition_opened_on": dates(offered - days_to_offer.astype(np.int64)),
            "offered_on": dates(offered),
            "accepted": accepted,
            "start_on": nullable_dates(starts, accepted),
            "unit_id": labels(staff.everyone.pick(rng, size), staff.everyone.ids),
            "recruiter_team": labels(staff.recruiters.pick(rng, size), staff.recruiters.ids),
        }
    )


def leavers_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """People who left, with the reason; voluntary departures slowly become rarer."""
    day_index = draw_events(rng, np.full(tl.size, 0.002 + 0.11 * staff.people / 365))
    size = len(day_index)
    voluntary = 0.70 - 0.04 * tl.t[day_index]
    rest = (1 - voluntary)[:, None] * np.array([0.35, 0.25, 0.40])[None, :]
    probabilities = np.concatenate([voluntary[:, None], rest], axis=1).cumsum(axis=1)
    reason = np.minimum((rng.random(size)[:, None] > probabilities).sum(axis=1), 3)
    return pa.table(
        {
            "leaver_id": np.arange(1, size + 1, dtype=np.int64),
            "left_on": dates(tl.days[day_index]),
            "unit_id": labels(staff.everyone.pick(rng, size), staff.everyone.ids),
            "reason": labels(reason, LEAVE_REASONS),
        }
    )


def headcount_table(tl: Timeline, staff: Staffing) -> pa.Table:
    """Headcount by division on the first day of every month (today's size at the end)."""
    firsts: list[date] = []
    day = tl.start
    while day < tl.today:
        firsts.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    epoch = np.array([(d - EPOCH).days for d in firsts])
    years_back = (epoch - tl.days[-1]) / 365.25
    growth = np.power(1.04, years_back)  # the company hired about 4% a year
    counts = np.round(staff.division_headcount[None, :] * growth[:, None]).astype(np.int64)
    divisions = len(staff.divisions)
    return pa.table(
        {
            "as_of": dates(np.repeat(epoch, divisions)),
            "division": labels(np.tile(np.arange(divisions), len(firsts)), staff.divisions),
            "headcount": counts.ravel(),
        }
    )


def training_table(rng: np.random.Generator, tl: Timeline, staff: Staffing) -> pa.Table:
    """Training sessions held for teams: hours per attendee, enrolled and completed."""
    rate = (0.05 + 0.0018 * staff.people) * tl.weekly([1, 1, 1, 1, 0.8, 0, 0])
    rate = rate * tl.season(peak_doy=15, amplitude=0.3)  # most training happens off-season
    day_index = draw_events(rng, rate)
    size = len(day_index)
    course = rng.integers(0, len(COURSES), size)
    enrolled = 3 + rng.poisson(5, size)
    team = staff.everyone.pick(rng, size)
    completion = np.clip(0.84 + 0.02 * tl.t[day_index] + rng.normal(0, 0.05, size), 0.3, 1.0)
    return pa.table(
        {
            "session_id": np.arange(1, size + 1, dtype=np.int64),
            "held_on": dates(tl.days[day_index]),
            "team_id": labels(team, staff.everyone.ids),
            "course": labels(course, [c[0] for c in COURSES]),
            "hours": np.array([c[1] for c in COURSES])[course],
            "enrolled": enrolled.astype(np.int32),
            "completed": rng.binomial(enrolled, completion).astype(np.int32),
        }
    )
