"""Admin: connections with their last refresh results, people's accounts and roles."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from aligna import model as m
from aligna.web.auth.accounts import list_accounts
from aligna.web.deps import AdminViewer, DbSession
from aligna.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, viewer: AdminViewer, session: DbSession) -> Response:
    """The admin overview: connections and their refreshes, accounts and roles."""
    latest = (
        select(m.KpiRefresh.kpi_id, func.max(m.KpiRefresh.id).label("id"))
        .group_by(m.KpiRefresh.kpi_id)
        .subquery()
    )
    refreshes = {
        connection_id: (ok_count, failed, last)
        for connection_id, ok_count, failed, last in session.execute(
            select(
                m.Kpi.connection_id,
                func.count().filter(m.KpiRefresh.ok.is_(True)),
                func.count().filter(m.KpiRefresh.ok.is_(False)),
                func.max(m.KpiRefresh.finished_at),
            )
            .join(latest, latest.c.id == m.KpiRefresh.id)
            .join(m.Kpi, m.Kpi.id == m.KpiRefresh.kpi_id)
            .where(m.Kpi.archived_at.is_(None))
            .group_by(m.Kpi.connection_id)
        )
    }
    failing = session.execute(
        select(m.Kpi.slug, m.Kpi.name, m.KpiRefresh.error, m.KpiRefresh.finished_at)
        .join(latest, latest.c.kpi_id == m.Kpi.id)
        .join(m.KpiRefresh, m.KpiRefresh.id == latest.c.id)
        .where(m.KpiRefresh.ok.is_(False), m.Kpi.archived_at.is_(None))
        .order_by(m.Kpi.name)
        .limit(50)
    ).all()
    connections = session.execute(
        select(m.Connection.id, m.Connection.slug, m.Connection.description, func.count(m.Kpi.id))
        .outerjoin(m.Kpi, (m.Kpi.connection_id == m.Connection.id) & m.Kpi.archived_at.is_(None))
        .where(m.Connection.archived_at.is_(None))
        .group_by(m.Connection.id, m.Connection.slug, m.Connection.description)
        .order_by(m.Connection.slug)
    ).all()
    return render(
        request,
        "admin/index.html",
        title="Admin",
        nav="admin",
        connections=connections,
        refreshes=refreshes,
        failing=failing,
        accounts=list_accounts(session=session),
    )
