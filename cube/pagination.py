"""Paging through list queries with the page number from the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from cube.extensions import db
from cube.parsing import bounded_int

# Deeper pages than this are refused (the first page is shown): an OFFSET of millions of rows is slow anyway.
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
MAX_WINDOW_PAGE = 10_000  # lists without a count stop here


def requested_page() -> int:
    """The ``page`` query argument: a whole number from 1 to MAX_PAGE, else 1."""
    return bounded_int(request.args.get("page"), 1, MAX_PAGE, 1) or 1


def page_of(query: Select[Any], per_page: int | None = None, page: int | None = None) -> Pagination:
    """The requested page of ``query`` (bad page numbers fall back to the first page).

    The page number is read here rather than by Flask-SQLAlchemy, which takes any ``int()`` (a 23-digit
    page overflows the database's OFFSET); ``per_page`` is never read from the URL.
    """
    return db.paginate(
        query,
        page=page if page is not None else requested_page(),
        per_page=min(per_page or current_app.config["ITEMS_PER_PAGE"], MAX_PER_PAGE),
        max_per_page=MAX_PER_PAGE,
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
        page = requested_page()
    page = max(1, min(page, MAX_WINDOW_PAGE))
    rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique())
    return Window(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)
