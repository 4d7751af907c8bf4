"""Reading the list filters from the query string, shared by the list, board, calendar and export views."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext as _

from cube.forms import options
from cube.parsing import optional_int
from cube.workorders import assignees, choices
from cube.workorders.forms import WorkOrderFilterForm
from cube.workorders.queries import DEFAULT_SORT, WorkOrderFilters

# Query-string keys that belong to one page only and are not carried to another.
PAGE_KEYS = ("page", "month", "format")


def list_filters() -> tuple[WorkOrderFilterForm, WorkOrderFilters]:
    """The list filters from the query string (unknown values are ignored)."""
    form = WorkOrderFilterForm(request.args)
    form.status.choices = options(choices.statuses(), blank=_("Any status"))
    form.priority.choices = options(choices.priorities(), blank=_("Any priority"))
    form.type.choices = options(choices.types(), blank=_("Any type"))
    form.assignee.choices = options(assignees.worker_pairs(), blank=_("Anyone"))
    form.team.choices = options(choices.teams(), blank=_("Any team"))
    form.company.choices = options(choices.companies(), blank=_("Any company"))
    form.validate()

    def valid(field: object) -> object:
        return None if getattr(field, "errors", None) else getattr(field, "data", None)

    filters = WorkOrderFilters(
        q=valid(form.q) or "",  # type: ignore[arg-type]
        view=form.view.data or "",
        status_id=form.status.data,
        category=form.category.data or "",
        priority_id=form.priority.data,
        type_id=form.type.data,
        assignee_id=form.assignee.data,
        team_id=form.team.data,
        company_id=form.company.data,
        product_id=optional_int(form.product.data),
        asset_id=optional_int(form.asset.data),
        due_from=valid(form.due_from),  # type: ignore[arg-type]
        due_to=valid(form.due_to),  # type: ignore[arg-type]
        created_from=valid(form.created_from),  # type: ignore[arg-type]
        created_to=valid(form.created_to),  # type: ignore[arg-type]
        sort=form.sort.data or DEFAULT_SORT,
    )
    return form, filters


def query_with(**overrides: object) -> str:
    """The current query string without page-only keys, with ``overrides`` set (None drops a key)."""
    dropped = set(PAGE_KEYS) | set(overrides)
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in dropped]
    pairs += [(k, str(v)) for k, v in overrides.items() if v is not None]
    return urlencode(pairs)


def list_url(endpoint: str, **overrides: object) -> str:
    """The URL of ``endpoint`` with the current filters (and ``overrides``)."""
    query = query_with(**overrides)
    return url_for(endpoint) + ("?" + query if query else "")
