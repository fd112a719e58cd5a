"""Admin: accounts and roles: list, search, create for a person, grant, revoke, disable, reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from aligna import model as m
from aligna.enums import AccountRoleName
from aligna.web.access import Viewer
from aligna.web.auth.accounts import (
    account_roles,
    create_account,
    disable_account,
    enable_account,
    grant_role,
    revoke_role,
)
from aligna.web.auth.errors import AccountError
from aligna.web.auth.tokens import create_reset_token, reset_path
from aligna.web.context import WebContext
from aligna.web.deps import AdminViewer, Context, Csrf, DbSession, NotFound
from aligna.web.pages.common import paginate, render

router = APIRouter(include_in_schema=False)

ROLES = [role.value for role in AccountRoleName]
ROLE_LABELS = {"admin": "admin", "strategy_office": "strategy office"}
RESET_HOURS = (1, 24, 72, 168)  # the CLI allows up to a week too
EmailField = Annotated[str, Form(max_length=320)]


@dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it."""

    id: int
    email: str
    person: str | None
    person_name: str | None
    roles: tuple[str, ...]
    last_login_at: datetime | None
    state: str


def _state(disabled_at: datetime | None, has_password: bool, oidc_subject: str | None) -> str:
    if disabled_at is not None:
        return "disabled"
    if not has_password and oidc_subject is None:
        return "no password yet"  # created, reset link not used yet
    return "active"


def _accounts_query(q: str, role: str) -> Select[Any]:
    query = (
        select(
            m.Account.id,
            m.Account.email,
            m.Account.last_login_at,
            m.Account.disabled_at,
            m.Account.password_hash.is_not(None).label("has_password"),
            m.Account.oidc_subject,
            m.Person.slug,
            m.Person.name,
        )
        .outerjoin(m.Person, m.Person.id == m.Account.person_id)
        .order_by(m.Account.email)
    )
    needle = q.strip().lower()
    if needle:
        query = query.where(
            or_(
                m.Account.email.contains(needle, autoescape=True),  # stored in lower case
                func.lower(m.Person.slug).contains(needle, autoescape=True),
                func.lower(m.Person.name).contains(needle, autoescape=True),
            )
        )
    if role in ROLES:
        query = query.where(
            m.Account.id.in_(
                select(m.AccountRole.account_id).where(m.AccountRole.role == AccountRoleName(role))
            )
        )
    return query


def _list_page(
    request: Request,
    session: Session,
    *,
    q: str = "",
    role: str = "",
    page: int = 1,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    found = paginate(session, _accounts_query(q, role), page)
    ids = [row.id for row in found.rows]
    roles: dict[int, list[str]] = {}
    if ids:
        for account_id, held in session.execute(
            select(m.AccountRole.account_id, m.AccountRole.role).where(
                m.AccountRole.account_id.in_(ids)
            )
        ):
            roles.setdefault(account_id, []).append(str(held.value))
    rows = [
        AccountRow(
            id=row.id,
            email=row.email,
            person=row.slug,
            person_name=row.name,
            roles=tuple(sorted(roles.get(row.id, []))),
            last_login_at=row.last_login_at,
            state=_state(row.disabled_at, row.has_password, row.oidc_subject),
        )
        for row in found.rows
    ]
    query = urlencode([(key, value) for key, value in (("q", q), ("role", role)) if value])
    return render(
        request,
        "admin/accounts.html",
        status_code=status_code,
        title="Accounts and roles",
        nav="admin",
        accounts=rows,
        page=found,
        base="/admin/accounts" + (f"?{query}" if query else ""),
        q=q,
        role=role,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        reset_hours=RESET_HOURS,
        error=error,
        form=form or {},
    )


def _account(session: Session, account_id: int) -> m.Account:
    account = session.get(m.Account, account_id)
    if account is None:
        raise NotFound("account")
    return account


def _account_page(
    request: Request,
    session: Session,
    ctx: WebContext,
    viewer: Viewer,
    account: m.Account,
    *,
    notice: str | None = None,
    error: str | None = None,
    reset_link: str | None = None,
    reset_valid: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = session.get(m.Person, account.person_id) if account.person_id else None
    now = ctx.now()
    live_sessions = session.execute(
        select(func.count())
        .select_from(m.WebSession)
        .where(
            m.WebSession.account_id == account.id,
            m.WebSession.revoked_at.is_(None),
            m.WebSession.expires_at > now,
        )
    ).scalar_one()
    held = [str(role.value) for role in account_roles(session=session, account_id=account.id)]
    return render(
        request,
        "admin/account.html",
        status_code=status_code,
        title=f"Account {account.email}",
        nav="admin",
        account=account,
        person=person,
        held=held,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        state=_state(account.disabled_at, account.password_hash is not None, account.oidc_subject),
        live_sessions=live_sessions,
        is_self=account.id == viewer.account_id,
        notice=notice,
        error=error,
        reset_link=reset_link,
        reset_url=_absolute(ctx, reset_link) if reset_link else None,
        reset_valid=reset_valid,
        reset_hours=RESET_HOURS,
    )


def _absolute(ctx: WebContext, path: str) -> str:
    return ctx.settings.public_url.rstrip("/") + path


def _hours(value: int) -> int:
    return value if value in RESET_HOURS else RESET_HOURS[0]


def _find_person(session: Session, text: str) -> m.Person:
    """A live person by id, or else by email, as the create form accepts either."""
    text = text.strip()
    person = session.scalar(
        select(m.Person).where(m.Person.slug == text, m.Person.archived_at.is_(None))
    )
    if person is None and "@" in text:
        person = session.scalar(
            select(m.Person).where(
                func.lower(m.Person.email) == text.lower(), m.Person.archived_at.is_(None)
            )
        )
    if person is None:
        raise AccountError(f"no person with the id or email '{text}'")
    return person


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts(
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    q: str = "",
    role: str = "",
    page: int = 1,
) -> Response:
    """Every account, searchable by email, person id or name, with a form to create one."""
    return _list_page(request, session, q=q[:200], role=role, page=page)


@router.post("/admin/accounts", response_class=HTMLResponse, dependencies=[Csrf])
def create(
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    person: Annotated[str, Form(max_length=320)] = "",
    email: EmailField = "",
    roles: Annotated[list[str] | None, Form()] = None,
    valid_for: Annotated[int, Form()] = 1,
) -> Response:
    """Create an account for a person (or a service admin) and show a one-time reset link."""
    hours = _hours(valid_for)
    try:
        found = _find_person(session, person) if person.strip() else None
        address = email.strip() or (found.email if found is not None else "")
        if not address:
            raise AccountError("give a person (id or email) or an email address for the account")
        account = create_account(
            session=session,
            email=address,
            person=found.slug if found is not None else None,
            roles=[role for role in roles or () if role],
            now=ctx.now(),
        )
        token = create_reset_token(
            session=session, account=account, now=ctx.now(), lifetime=timedelta(hours=hours)
        )
        session.commit()
    except AccountError as exc:
        session.rollback()
        form = {"person": person, "email": email, "roles": roles or [], "valid_for": hours}
        return _list_page(request, session, error=str(exc), status_code=400, form=form)
    return _account_page(
        request,
        session,
        ctx,
        viewer,
        account,
        notice=f"Created the account {account.email}.",
        reset_link=reset_path(token),
        reset_valid=hours,
    )


@router.get("/admin/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    account_id: int, request: Request, viewer: AdminViewer, session: DbSession, ctx: Context
) -> Response:
    """One account: its person, roles and state, with the forms to change them."""
    return _account_page(request, session, ctx, viewer, _account(session, account_id))


@router.post("/admin/accounts/{account_id}/roles", response_class=HTMLResponse, dependencies=[Csrf])
def change_role(
    account_id: int,
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    role: Annotated[str, Form(max_length=50)],
    action: Annotated[str, Form(pattern="^(grant|revoke)$")],
) -> Response:
    """Grant or revoke a role; revoking ends the account's sessions, which carried it."""
    account = _account(session, account_id)
    label = ROLE_LABELS.get(role, role)
    try:
        if action == "revoke" and account.id == viewer.account_id and role == "admin":
            # An admin locking themselves out is nearly always a slip; another admin can do it.
            raise AccountError("you cannot take the admin role from yourself; ask another admin")
        if action == "grant":
            changed = grant_role(session=session, account=account, role=role)
            notice = f"Granted {label}." if changed else f"{account.email} was already {label}."
        else:
            changed = revoke_role(session=session, account=account, role=role, now=ctx.now())
            notice = (
                f"Revoked {label}; the account's sessions were ended."
                if changed
                else f"{account.email} did not have {label}."
            )
        session.commit()
    except AccountError as exc:
        session.rollback()
        return _account_page(
            request, session, ctx, viewer, account, error=str(exc), status_code=400
        )
    return _account_page(request, session, ctx, viewer, account, notice=notice)


@router.post(
    "/admin/accounts/{account_id}/disable", response_class=HTMLResponse, dependencies=[Csrf]
)
def disable(
    account_id: int, request: Request, viewer: AdminViewer, session: DbSession, ctx: Context
) -> Response:
    """Disable an account: no more sign-ins, its sessions end, its API tokens stop working."""
    account = _account(session, account_id)
    if account.id == viewer.account_id:
        return _account_page(
            request,
            session,
            ctx,
            viewer,
            account,
            error="You cannot disable your own account; ask another admin.",
            status_code=400,
        )
    changed = disable_account(session=session, account=account, now=ctx.now())
    session.commit()
    notice = (
        "Disabled: it can no longer sign in, its sessions ended and its API tokens stopped."
        if changed
        else "The account was already disabled."
    )
    return _account_page(request, session, ctx, viewer, account, notice=notice)


@router.post(
    "/admin/accounts/{account_id}/enable", response_class=HTMLResponse, dependencies=[Csrf]
)
def enable(
    account_id: int, request: Request, viewer: AdminViewer, session: DbSession, ctx: Context
) -> Response:
    """Enable a disabled account again."""
    account = _account(session, account_id)
    changed = enable_account(session=session, account=account)
    session.commit()
    notice = "Enabled: it can sign in again." if changed else "The account was not disabled."
    return _account_page(request, session, ctx, viewer, account, notice=notice)


@router.post("/admin/accounts/{account_id}/reset", response_class=HTMLResponse, dependencies=[Csrf])
def reset_link(
    account_id: int,
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    valid_for: Annotated[int, Form()] = 1,
) -> Response:
    """Issue a one-time link to set the account's password, shown once on the page."""
    account = _account(session, account_id)
    if account.disabled_at is not None:
        return _account_page(
            request,
            session,
            ctx,
            viewer,
            account,
            error="This account is disabled: a reset link would not work.",
            status_code=400,
        )
    hours = _hours(valid_for)
    token = create_reset_token(
        session=session, account=account, now=ctx.now(), lifetime=timedelta(hours=hours)
    )
    session.commit()
    return _account_page(
        request,
        session,
        ctx,
        viewer,
        account,
        notice="A new reset link was issued; links issued before it still work until used.",
        reset_link=reset_path(token),
        reset_valid=hours,
    )
