"""Paging through list queries with the page number from the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from cube.extensions import db
from cube.parsing import optional_int


def page_of(query: Select[Any], per_page: int | None = None) -> Pagination:
    """The requested page of ``query`` (bad page numbers fall back to the first page)."""
    return db.paginate(
        query,
        per_page=per_page or current_app.config["ITEMS_PER_PAGE"],
        max_per_page=100,
        error_out=False,
    )


@dataclass
class Window:
    """One page of a list without a total count (a COUNT over millions of rows per view is too slow)."""

    items: list[Any]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def window(query: Select[Any], page: int | None = None, per_page: int | None = None) -> Window:
    """One page of ``query`` plus one row to know whether another page follows (page from the URL by default)."""
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    if page is None:
        page = optional_int(request.args.get("page")) or 1
    page = max(1, min(page, 10_000))
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    return Window(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)
