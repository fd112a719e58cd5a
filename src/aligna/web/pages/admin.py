"""Admin: the overview (connections and their refreshes, accounts), and the admin sub-pages.

The project upload pages live in admin_project, the account pages in admin_accounts, the outbox
in admin_messages and the escalation policy in admin_escalation; their routers are included
here, so the app includes this one router.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.web.deps import AdminViewer, DbSession
from aligna.web.pages import admin_accounts, admin_escalation, admin_messages, admin_project
from aligna.web.pages.common import render

router = APIRouter(include_in_schema=False)
router.include_router(admin_project.router)
router.include_router(admin_accounts.router)
router.include_router(admin_messages.router)
router.include_router(admin_escalation.router)


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
        accounts=_account_counts(session),
    )


def _account_counts(session: Session) -> dict[str, int]:
    """How many accounts there are, how many are disabled, and how many hold each role."""
    total, disabled = session.execute(select(func.count(), func.count(m.Account.disabled_at))).one()
    counts = {"total": total, "disabled": disabled}
    for role, held in session.execute(
        select(m.AccountRole.role, func.count()).group_by(m.AccountRole.role)
    ):
        counts[str(role.value)] = held
    return counts
