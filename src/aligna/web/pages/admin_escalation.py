"""Admin: the escalation policy: days and levels per exception kind, edited with an audit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from aligna import model as m
from aligna.web.access import Viewer
from aligna.web.deps import AdminViewer, Context, Csrf, DbSession
from aligna.web.pages.common import render
from aligna.web.views.escalation import (
    DAYS,
    KINDS,
    LEVELS,
    EscalationEditError,
    check_rules,
    escalation_policy,
    save_rules,
)

router = APIRouter(include_in_schema=False)


def _escalation_page(
    request: Request,
    session: DbSession,
    *,
    status_code: int = 200,
    saved: bool = False,
    problems: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "admin/escalation.html",
        status_code=status_code,
        title="Escalation policy",
        nav="admin",
        rules=escalation_policy(session),
        days=DAYS,
        levels=LEVELS,
        saved=saved,
        problems=problems or {},
        form=form or {},
    )


@router.get("/admin/escalation", response_class=HTMLResponse)
def escalation(
    request: Request, viewer: AdminViewer, session: DbSession, saved: int = 0
) -> Response:
    """The escalation policy in force, with a form to change it."""
    return _escalation_page(request, session, saved=bool(saved))


async def _rule_fields(request: Request) -> dict[str, tuple[str | None, str | None]]:
    """(days, levels) as typed, per kind the form sends."""
    form = await request.form(max_fields=2 * len(KINDS) + 5)
    fields: dict[str, tuple[str | None, str | None]] = {}
    for kind in KINDS:
        days: Any = form.get(f"{kind}.days")
        levels: Any = form.get(f"{kind}.levels")
        if isinstance(days, str) or isinstance(levels, str):
            fields[kind] = (
                days[:20] if isinstance(days, str) else None,
                levels[:20] if isinstance(levels, str) else None,
            )
    return fields


@router.post("/admin/escalation", response_class=HTMLResponse, dependencies=[Csrf])
def save_escalation(
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    fields: Annotated[dict[str, tuple[str | None, str | None]], Depends(_rule_fields)],
) -> Response:
    """Save the rules that changed, in one audited change set; bad values are named."""
    try:
        rules = check_rules(fields)
        save_rules(session, rules, actor=_email(session, viewer), now=ctx.now())
        session.commit()
    except EscalationEditError as exc:
        session.rollback()
        form = {
            f"{k}.{what}": v[i]
            for k, v in fields.items()
            for i, what in ((0, "days"), (1, "levels"))
        }
        return _escalation_page(request, session, status_code=422, problems=exc.problems, form=form)
    return RedirectResponse("/admin/escalation?saved=1", status_code=303)


def _email(session: DbSession, viewer: Viewer) -> str:
    """The audit actor: the admin's account email."""
    email = session.execute(
        select(m.Account.email).where(m.Account.id == viewer.account_id)
    ).scalar()
    return email or f"account:{viewer.account_id}"
