"""Paging through list queries with the page number from the URL."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from cube.extensions import db


def page_of(query: Select[Any], per_page: int | None = None) -> Pagination:
    """The requested page of ``query`` (bad page numbers fall back to the first page)."""
    return db.paginate(
        query,
        per_page=per_page or current_app.config["ITEMS_PER_PAGE"],
        max_per_page=100,
        error_out=False,
    )
