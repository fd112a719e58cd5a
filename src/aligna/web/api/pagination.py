"""Pages of a list: `?page=1&per_page=50`, a body with the total, and an RFC 8288 Link header."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 50
MAX_PER_PAGE = 500

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; `total` counts only what you may see."""

    items: list[T]
    page: int = Field(description="This page's number, from 1.")
    per_page: int
    total: int = Field(description="Items in the whole list (every page).")


@dataclass(frozen=True)
class PageParams:
    """Which page the client asked for."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page


def page_params(
    page: Annotated[int, Query(ge=1, description="The page, from 1.")] = 1,
    per_page: Annotated[
        int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items a page, at most {MAX_PER_PAGE}.")
    ] = PER_PAGE,
) -> PageParams:
    """The `page` and `per_page` query parameters."""
    return PageParams(page, per_page)


Paging = Annotated[PageParams, Depends(page_params)]


def fetch_page(
    session: Session, statement: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """Count a query and fetch one page of it: two statements whatever the size."""
    total = session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    if params.offset >= total:
        return [], total
    rows = session.execute(statement.limit(params.per_page).offset(params.offset)).all()
    return list(rows), total


def slice_page(items: Sequence[T], params: PageParams) -> tuple[list[T], int]:
    """One page of a list already in memory (a tree that is read whole anyway)."""
    return list(items[params.offset : params.offset + params.per_page]), len(items)


def page_of(
    request: Request, response: Response, items: list[T], params: PageParams, total: int
) -> Page[T]:
    """The page's body, with its Link header (first, prev, next, last) set on the response."""
    last = max(1, math.ceil(total / params.per_page))
    links = {"first": 1, "last": last}
    if params.page > 1:
        # Past the end, prev leads back to the last page that has items.
        links["prev"] = min(params.page - 1, last)
    if params.page < last:
        links["next"] = params.page + 1
    response.headers["Link"] = ", ".join(
        f'<{request.url.include_query_params(page=n, per_page=params.per_page)}>; rel="{rel}"'
        for rel, n in links.items()
    )
    return Page(items=items, page=params.page, per_page=params.per_page, total=total)
