"""The REST API under /api/v1: the same view models and permissions as the pages, as JSON."""

from __future__ import annotations

from fastapi import APIRouter

from aligna.web.api import (
    exception_actions,
    exceptions,
    follow,
    gaps,
    inbox,
    initiatives,
    kpi_values,
    kpis,
    me,
    notifications,
    objectives,
    people,
    search,
    units,
)
from aligna.web.api.problems import COMMON_ERRORS

router = APIRouter(prefix="/api/v1", responses=COMMON_ERRORS)
for module in (
    me,
    inbox,
    notifications,
    kpis,
    kpi_values,
    objectives,
    initiatives,
    people,
    units,
    gaps,
    exceptions,
    exception_actions,
    follow,
    search,
):
    router.include_router(module.router)
