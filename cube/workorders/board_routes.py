"""Views: the Kanban board."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from cube.permissions import signed_in
from cube.workflow import engine
from cube.workorders.blueprint import bp
from cube.workorders.board import board_columns
from cube.workorders.listing import PAGE_KEYS, list_filters, list_url

BOARD_LIMIT = 20  # cards per column; the rest are a click away in the list


@bp.route("/board")
@signed_in
def board() -> str:
    """The visible, filtered work orders as a Kanban board: one column per active status."""
    form, filters = list_filters()
    columns = board_columns(current_user, filters, BOARD_LIMIT)
    return render_template(
        "workorders/board.html",
        form=form,
        columns=columns,
        transitions=engine.available_by_status(current_user, {column.status.id for column in columns}),
        limit=BOARD_LIMIT,
        here=list_url("workorders.board"),
        list_url=list_url,
        page_keys=PAGE_KEYS,
    )
