"""RFC 9457 problem details as the API documents them: the model and the error responses."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, Field


class FieldError(BaseModel):
    """One invalid field: where it is (`body.values.0.period`) and what was expected."""

    where: str
    message: str


class Problem(BaseModel):
    """An error as RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path that was asked for.")
    errors: list[FieldError] | None = Field(
        default=None, description="On 422: every invalid field, named."
    )


def _answer(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {}},
    }


# The errors every endpoint may answer, documented once on the router.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _answer("No API token or session, or one that is unknown, revoked or expired."),
    404: _answer("Unknown, or hidden from you: the same answer either way."),
    422: _answer("Invalid parameters or body; `errors` names each field."),
}
FORBIDDEN = {403: _answer("Your role does not allow this (or the CSRF header is missing).")}
CONFLICT = {409: _answer("The KPI takes its values from a query, not by hand.")}
RESOLVED = {409: _answer("The exception is already resolved: its cause went away.")}
MAY_NOT_ACT = {
    403: _answer(
        "You may see the exception but not act on it (only its owner, the managers above the "
        "owner and admins may), or the CSRF header is missing."
    )
}
NO_PERSON = {
    403: _answer(
        "The account belongs to no person, so it has no inbox, preferences or follows "
        "(or the CSRF header is missing)."
    )
}


def no_person() -> HTTPException:
    """The 403 of a write that needs a person, from an account that belongs to none."""
    return HTTPException(
        403, "this account belongs to no person: it has no inbox, preferences or follows"
    )
