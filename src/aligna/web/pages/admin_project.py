"""Admin: upload a project folder as a zip, see its problems or its plan, and apply it."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile  # what request.form() holds

from aligna import model as m
from aligna.files.apply import apply_plan
from aligna.files.canonical import KINDS
from aligna.files.plan import REMOVED_NOT_ARCHIVED, Action, Change, Plan, describe_value
from aligna.files.service import Validation, gc_paused, plan_project, validate_project
from aligna.render import KIND_LABELS
from aligna.web.access import Viewer
from aligna.web.context import WebContext
from aligna.web.deps import AdminViewer, Context, Csrf, DbSession, NotFound
from aligna.web.pages.admin_staging import (
    MAX_ENTRIES,
    MAX_TOTAL_BYTES,
    MAX_UPLOAD_BYTES,
    Upload,
    UploadRefused,
    clean_old_uploads,
    open_upload,
    plan_fingerprint,
    stage_zip,
    uploads_folder,
)
from aligna.web.pages.common import Page, render

log = logging.getLogger("aligna.web.admin")
router = APIRouter(include_in_schema=False)

CHANGES_PER_PAGE = 100
MAX_PROBLEMS = 500
MESSAGE_LENGTH = 2000
STALE = (
    "The database changed since this plan was shown, so nothing was applied. "
    "Below is the plan as it stands now: review it and apply again."
)


@dataclass(frozen=True)
class ChangeRow:
    """One change as the plan table shows it."""

    action: str
    kind: str
    key: str
    what: str


def describe_change(change: Change) -> str:
    """What a change does, in the words `aligna plan` prints."""
    if change.action is Action.change and change.before and change.after:
        return "; ".join(
            f"{name}: {describe_value(change.before.get(name), 60)} → "
            f"{describe_value(change.after.get(name), 60)}"
            for name in change.fields
        )
    if change.action is Action.remove:
        if change.kind in REMOVED_NOT_ARCHIVED:
            return "removed"
        return "archived (its history is kept)"
    return ", ".join(change.fields)


def summary_rows(plan: Plan) -> list[tuple[str, list[int]]]:
    """Per kind with any change: its label and the count of each action."""
    rows = []
    for kind in KINDS:
        counts = [plan.count(kind, action) for action in Action]
        if any(counts):
            rows.append((KIND_LABELS[kind], counts))
    return rows


async def admin_upload_guard(request: Request, viewer: AdminViewer) -> Viewer:
    """Admin first, size second, and only then is the body read (by the CSRF check)."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "Send the upload with its length (a Content-Length header).")
    if int(length) > MAX_UPLOAD_BYTES + 64 * 1024:  # room for the form's other fields
        raise HTTPException(
            413, f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        )
    return viewer


async def uploaded_file(request: Request) -> UploadFile | None:
    """The form's `file` field (the form was parsed already, by the CSRF check)."""
    form = await request.form(max_files=1, max_fields=10)
    value: Any = form.get("file")
    return value if isinstance(value, UploadFile) else None


def _email(session: Session, viewer: Viewer) -> str:
    account = session.get(m.Account, viewer.account_id) if viewer.account_id else None
    return account.email if account is not None else "unknown"


def _form_page(request: Request, *, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("error", None)
    values.setdefault("problems", None)
    values.setdefault("applied", None)
    values.setdefault("notice", None)
    return render(
        request,
        "admin/project.html",
        status_code=status_code,
        title="Upload a project folder",
        nav="admin",
        max_entries=MAX_ENTRIES,
        max_mb=MAX_TOTAL_BYTES // (1024 * 1024),
        **values,
    )


def _problems_page(request: Request, upload_name: str, validation: Validation) -> HTMLResponse:
    lines = [str(problem) for problem in validation.problems]
    return _form_page(
        request,
        status_code=422,
        problems=lines[:MAX_PROBLEMS],
        more_problems=max(0, len(lines) - MAX_PROBLEMS),
        errors=len(validation.problems.errors),
        warnings=len(validation.problems.warnings),
        filename=upload_name,
    )


def _plan_page(
    request: Request,
    upload: Upload,
    validation: Validation,
    plan: Plan,
    *,
    page: int = 1,
    error: str | None = None,
    status_code: int = 200,
    message: str = "",
) -> HTMLResponse:
    changes = plan.all()
    pages = max(1, math.ceil(len(changes) / CHANGES_PER_PAGE))
    number = min(max(1, page), pages)
    start = (number - 1) * CHANGES_PER_PAGE
    rows = [
        ChangeRow(c.action.value, KIND_LABELS[c.kind], c.key, describe_change(c))
        for c in changes[start : start + CHANGES_PER_PAGE]
    ]
    return render(
        request,
        "admin/plan.html",
        status_code=status_code,
        title="Plan of the uploaded project",
        nav="admin",
        upload=upload,
        actions=[action.value for action in Action],
        summary=summary_rows(plan),
        rows=rows,
        page=Page(rows, number, CHANGES_PER_PAGE, len(changes)),
        warnings=[str(p) for p in validation.problems.warnings][:MAX_PROBLEMS],
        empty=plan.empty,
        error=error,
        message=message,
        message_length=MESSAGE_LENGTH,
    )


def _upload(ctx: WebContext, upload_id: str) -> Upload:
    upload = open_upload(uploads_folder(ctx.settings), upload_id)
    if upload is None:
        raise NotFound("upload (uploads are deleted once applied, or after a day)")
    return upload


@router.get("/admin/project", response_class=HTMLResponse)
def project_form(
    request: Request, viewer: AdminViewer, session: DbSession, applied: int | None = None
) -> Response:
    """The upload form; after an apply, what was applied."""
    change_set = session.get(m.ChangeSet, applied) if applied is not None else None
    return _form_page(request, applied=change_set)


@router.post(
    "/admin/project",
    response_class=HTMLResponse,
    dependencies=[Depends(admin_upload_guard), Csrf],
)
def upload_project(
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    file: Annotated[UploadFile | None, Depends(uploaded_file)],
) -> Response:
    """Stage the zip, validate it, and show its problems or its plan."""
    folder = uploads_folder(ctx.settings)
    for old in clean_old_uploads(folder):
        log.info("upload removed", extra={"event": "upload_removed", "upload": old})
    if file is None or not file.filename:
        return _form_page(request, status_code=400, error="Choose a .zip file to upload.")
    try:
        upload = stage_zip(
            file.file,
            folder,
            filename=file.filename,
            uploaded_by=_email(session, viewer),
            uploaded_at=ctx.now(),
        )
    except UploadRefused as exc:
        message = str(exc)
        return _form_page(request, status_code=400, error=message[:1].upper() + message[1:] + ".")
    log.info("upload staged", extra={"event": "upload_staged", "upload": upload.id})
    validation = validate_project(upload.root)
    if not validation.ok:
        upload.discard()  # nothing can be applied from it: the problems are the whole answer
        return _problems_page(request, file.filename, validation)
    plan = plan_project(session, validation)
    upload.meta.fingerprint = plan_fingerprint(plan)
    upload.save()
    return _plan_page(request, upload, validation, plan)


@router.get("/admin/project/{upload_id}", response_class=HTMLResponse)
def show_plan(
    upload_id: str,
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    page: int = 1,
) -> Response:
    """The plan of a staged upload, made again against the database as it is now."""
    upload = _upload(ctx, upload_id)
    validation = validate_project(upload.root)
    if not validation.ok:
        upload.discard()
        return _problems_page(request, upload.meta.filename, validation)
    plan = plan_project(session, validation)
    upload.meta.fingerprint = plan_fingerprint(plan)
    upload.save()
    return _plan_page(request, upload, validation, plan, page=page)


@router.post("/admin/project/{upload_id}/apply", response_class=HTMLResponse, dependencies=[Csrf])
def apply_upload(
    upload_id: str,
    request: Request,
    viewer: AdminViewer,
    session: DbSession,
    ctx: Context,
    message: Annotated[str, Form(max_length=MESSAGE_LENGTH)] = "",
    fingerprint: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Apply the plan that was shown, in one transaction, audited as the admin with the why."""
    upload = _upload(ctx, upload_id)
    validation = validate_project(upload.root)
    if not validation.ok:
        upload.discard()
        return _problems_page(request, upload.meta.filename, validation)
    message = message.strip()
    shown = upload.meta.fingerprint
    actor = f"web:{_email(session, viewer)}"
    try:
        # Planned inside the transaction that writes it: what is written is what is compared.
        plan = plan_project(session, validation)
        current = plan_fingerprint(plan)
        if not message or fingerprint != shown or current != shown:
            session.rollback()
            stale = fingerprint != shown or current != shown
            upload.meta.fingerprint = current
            upload.save()
            return _plan_page(
                request,
                upload,
                validation,
                plan,
                error=STALE
                if stale
                else "Say why you apply this: it is recorded in the audit log.",
                status_code=409 if stale else 400,
                message=message,
            )
        with gc_paused():
            result = apply_plan(
                session,
                plan,
                actor=actor,
                message=message,
                source=f"web upload {upload.meta.filename}"[:200],
            )
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return _plan_page(
            request,
            upload,
            validation,
            plan_project(session, validation),
            error=f"The database refused the apply, so nothing was changed: {reason}",
            status_code=500,
            message=message,
        )
    upload.discard()
    log.info(
        "upload applied",
        extra={"event": "upload_applied", "upload": upload.id, "change_set": result.change_set_id},
    )
    if result.change_set_id is None:
        return _form_page(request, notice="No changes: the database already matched the upload.")
    return RedirectResponse(f"/admin/project?applied={result.change_set_id}", status_code=303)


@router.post("/admin/project/{upload_id}/discard", dependencies=[Csrf])
def discard_upload(upload_id: str, viewer: AdminViewer, ctx: Context) -> Response:
    """Delete a staged upload without applying it."""
    _upload(ctx, upload_id).discard()
    return RedirectResponse("/admin/project", status_code=303)
