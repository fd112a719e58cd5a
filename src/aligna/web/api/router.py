"""The REST API under /api/v1: the same view models and permissions as the pages, as JSON."""

from __future__ import annotations

from fastapi import APIRouter

from aligna.web.api import (
    exceptions,
    gaps,
    initiatives,
    kpi_values,
    kpis,
    me,
    objectives,
    people,
    search,
    units,
)
from aligna.web.api.problems import COMMON_ERRORS

router = APIRouter(prefix="/api/v1", responses=COMMON_ERRORS)
for module in (
    me,
    kpis,
    kpi_values,
    objectives,
    initiatives,
    people,
    units,
    gaps,
    exceptions,
    search,
):
    router.include_router(module.router)
