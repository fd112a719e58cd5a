"""Evaluation: KPI values and targets in, status, score, trend, signals and forecast out.

Pure functions over Polars frames, vectorised over all KPIs, units and periods at once:

- `target_periods` -> the (kpi, period) pairs to expand targets for;
- `expand_targets` -> target, red flag, stretch or band per (kpi, period);
- `evaluate_kpis` -> `KpiResults(evaluations, forecasts)`;
- `explain_kpi` -> the same computation for one series, as readable arithmetic;
- `aggregate_to_frequency` -> finer values (days, ISO weeks) summed, averaged or last-valued
  to each KPI's frequency.
"""

from aligna.evaluate.explain import explain_kpi
from aligna.evaluate.kpis import EVALUATION_COLUMNS, FORECAST_COLUMNS, KpiResults, evaluate_kpis
from aligna.evaluate.ordinals import aggregate_to_frequency
from aligna.evaluate.specs import OVERRIDE_SCHEMA, SPEC_SCHEMA
from aligna.evaluate.targets import expand_targets, no_overrides, target_periods

__all__ = [
    "EVALUATION_COLUMNS",
    "FORECAST_COLUMNS",
    "OVERRIDE_SCHEMA",
    "SPEC_SCHEMA",
    "KpiResults",
    "aggregate_to_frequency",
    "evaluate_kpis",
    "expand_targets",
    "explain_kpi",
    "no_overrides",
    "target_periods",
]
