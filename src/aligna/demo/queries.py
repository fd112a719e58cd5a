"""The SQL behind each demo KPI (DuckDB dialect), one query per KPI id.

Each query returns `period, value` rows, or `period, unit, value` for a KPI broken down by
unit, with the period written at the KPI's frequency.
"""

from __future__ import annotations

QUERIES: dict[str, str] = {
    "revenue": """\
select strftime(o.ordered_on, '%Y-%m') as period,
       u.region as unit,
       sum(o.amount_eur) as value
from orders o
join org_units u on u.id = o.sales_team
group by 1, 2
order by 1, 2
""",
    "order-intake": """\
-- the first ISO week of the data is incomplete, so counting starts on its first Monday
select strftime(ordered_on, '%G-W%V') as period,
       count(*) as value
from orders
where ordered_on >= date_trunc('week', (select min(day) from calendar) + 6)
group by 1
order by 1
""",
    "average-order-value": """\
select strftime(ordered_on, '%Y-%m') as period,
       avg(amount_eur) as value
from orders
group by 1
order by 1
""",
    "gross-margin": """\
select year(ordered_on) || '-Q' || quarter(ordered_on) as period,
       100.0 * (sum(amount_eur) - sum(cost_eur)) / sum(amount_eur) as value
from orders
group by 1
order by 1
""",
    "new-product-revenue-share": """\
-- products launched less than three years before the order count as new
select year(o.ordered_on) || '-Q' || quarter(o.ordered_on) as period,
       100.0 * sum(case when p.launched_on > o.ordered_on - interval 3 year
                        then o.amount_eur else 0 end) / sum(o.amount_eur) as value
from orders o
join products p on p.product_id = o.product_id
group by 1
order by 1
""",
    "units-produced": """\
select strftime(c.day, '%Y-%m-%d') as period,
       cast(coalesce(sum(r.units_good), 0) as double) as value
from calendar c
left join production_runs r on r.run_on = c.day
group by 1
order by 1
""",
    "scrap-rate": """\
select strftime(run_on, '%Y-%m') as period,
       team_id as unit,
       100.0 * sum(units_scrapped) / sum(units_started) as value
from production_runs
group by 1, 2
order by 1, 2
""",
    "energy-per-pump": """\
select year(run_on) || '-Q' || quarter(run_on) as period,
       sum(energy_kwh) / sum(units_good) as value
from production_runs
group by 1
order by 1
""",
    "supplier-on-time": """\
select strftime(received_on, '%Y-%m') as period,
       100.0 * avg(case when received_on <= promised_on then 1 else 0 end) as value
from supplier_receipts
group by 1
order by 1
""",
    "inventory-days": """\
-- days of cover at the end of each day; a week's value is its last day's
with daily as (
  select snapshot_on,
         sum(units_on_hand) / sum(daily_demand) as days_of_cover
  from inventory_snapshots
  group by 1
)
select strftime(snapshot_on, '%G-W%V') as period,
       arg_max(days_of_cover, snapshot_on) as value
from daily
group by 1
order by 1
""",
    "on-time-delivery": """\
select strftime(delivered_on, '%Y-%m') as period,
       team_id as unit,
       100.0 * avg(case when delivered_on <= promised_on then 1 else 0 end) as value
from deliveries
group by 1, 2
order by 1, 2
""",
    "delivery-cost": """\
select strftime(delivered_on, '%Y-%m') as period,
       avg(cost_eur) as value
from deliveries
group by 1
order by 1
""",
    "resolution-time": """\
select strftime(closed_on, '%Y-%m') as period,
       team_id as unit,
       avg(resolution_hours) as value
from tickets
where closed_on is not null
group by 1, 2
order by 1, 2
""",
    "first-contact-resolution": """\
-- field visits cannot be solved at the first contact: desk tickets only
select strftime(opened_on, '%G-W%V') as period,
       100.0 * avg(case when first_contact_resolved then 1 else 0 end) as value
from tickets
where channel <> 'field'
group by 1
order by 1
""",
    "support-backlog": """\
-- open tickets at the end of each day: everything opened so far minus everything closed
with opened as (
  select opened_on as day, count(*) as n from tickets group by 1
), closed as (
  select closed_on as day, count(*) as n from tickets where closed_on is not null group by 1
)
select strftime(c.day, '%Y-%m-%d') as period,
       cast(sum(coalesce(o.n, 0) - coalesce(x.n, 0)) over (order by c.day) as double) as value
from calendar c
left join opened o on o.day = c.day
left join closed x on x.day = c.day
order by 1
""",
    "net-promoter-score": """\
-- promoters answer 9-10, detractors 0-6: NPS = % promoters - % detractors
select year(answered_on) || '-Q' || quarter(answered_on) as period,
       100.0 * (avg(case when score >= 9 then 1 else 0 end)
              - avg(case when score <= 6 then 1 else 0 end)) as value
from nps_responses
group by 1
order by 1
""",
    "warranty-claims-rate": """\
with claims as (
  select strftime(claimed_on, '%Y-%m') as period, count(*) as claims
  from warranty_claims
  group by 1
), shipped as (
  select strftime(delivered_on, '%Y-%m') as period, sum(units) as units
  from deliveries
  group by 1
)
select s.period,
       1000.0 * coalesce(c.claims, 0) / s.units as value
from shipped s
left join claims c on c.period = s.period
order by 1
""",
    "time-to-hire": """\
select strftime(offered_on, '%Y-%m') as period,
       avg(date_diff('day', requisition_opened_on, offered_on)) as value
from offers
where accepted
group by 1
order by 1
""",
    "offer-acceptance-rate": """\
select year(offered_on) || '-Q' || quarter(offered_on) as period,
       100.0 * avg(case when accepted then 1 else 0 end) as value
from offers
group by 1
order by 1
""",
    "voluntary-attrition": """\
-- voluntary leavers in the quarter as a share of the average headcount
with staff as (
  select year(as_of) || '-Q' || quarter(as_of) as period, avg(total) as headcount
  from (select as_of, sum(headcount) as total from headcount group by 1)
  group by 1
), quits as (
  select year(left_on) || '-Q' || quarter(left_on) as period, count(*) as quits
  from leavers
  where reason = 'voluntary'
  group by 1
)
select s.period,
       100.0 * coalesce(q.quits, 0) / s.headcount as value
from staff s
left join quits q on q.period = s.period
order by 1
""",
    "training-hours": """\
with staff as (
  select year(as_of) || '-Q' || quarter(as_of) as period, avg(total) as headcount
  from (select as_of, sum(headcount) as total from headcount group by 1)
  group by 1
), hours as (
  select year(held_on) || '-Q' || quarter(held_on) as period,
         sum(hours * completed) as hours
  from training_sessions
  group by 1
)
select s.period,
       coalesce(h.hours, 0) / s.headcount as value
from staff s
left join hours h on h.period = s.period
order by 1
""",
    "training-completion": """\
select strftime(held_on, '%Y-%m') as period,
       100.0 * sum(completed) / sum(enrolled) as value
from training_sessions
group by 1
order by 1
""",
    "lost-time-incidents": """\
-- every month is listed, so that a month without incidents counts as 0
select strftime(c.day, '%Y-%m') as period,
       cast(count(i.incident_id) as double) as value
from calendar c
left join incidents i on i.occurred_on = c.day and i.lost_time
group by 1
order by 1
""",
}
