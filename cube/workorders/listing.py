"""Reading the list filters from the query string, shared by the list, board, calendar and export views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cube.forms import options
from cube.i18n import localdate
from cube.parsing import optional_int
from cube.workorders import assignees, choices
from cube.workorders.forms import WorkOrderFilterForm
from cube.workorders.queries import DEFAULT_SORT, WorkOrderFilters

# Query-string keys that belong to one page only and are not carried to another.
PAGE_KEYS = ("page", "month", "format")
# The filters a person can switch off one by one (the quick view and the sort order are not filters).
FILTER_KEYS = (
    "q",
    "status",
    "category",
    "priority",
    "type",
    "assignee",
    "team",
    "company",
    "product",
    "asset",
    "due_from",
    "due_to",
    "created_from",
    "created_to",
)


@dataclass(frozen=True)
class FilterChip:
    """One active filter: its field's label, its value in words, and the same list without it."""

    key: str
    label: str
    value: str
    remove_url: str


def list_filters(
    offered: choices.ListChoices | None = None,
) -> tuple[WorkOrderFilterForm, WorkOrderFilters]:
    """The list filters from the query string (unknown values are ignored; a person or company the pickers do not
    offer too), choosing among ``offered`` (read here when not given). The assignee filter is only for those who may
    list the workers."""
    offered = offered or choices.list_choices()
    form = WorkOrderFilterForm(request.args)
    if not assignees.may_list_workers(current_user):
        del form.assignee
    form.status.choices = options(offered.statuses, blank=_("Any status"))
    form.priority.choices = options(offered.priorities, blank=_("Any priority"))
    form.type.choices = options(offered.types, blank=_("Any type"))
    form.team.choices = options(offered.teams, blank=_("Any team"))
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
        assignee_id=valid(form.assignee) if "assignee" in form else None,  # type: ignore[arg-type]
        team_id=form.team.data,
        company_id=valid(form.company),  # type: ignore[arg-type]
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


def _pair(choice: object) -> tuple[object, object]:
    """(value, label) of a select choice, whether a ``SelectChoice`` or a plain pair."""
    if hasattr(choice, "value"):
        return choice.value, choice.label  # type: ignore[attr-defined]
    return choice[0], choice[1]  # type: ignore[index]


def _shown_value(field: object) -> str:
    """The value of an applied filter field as a person reads it (a choice's label, a date in the locale)."""
    data = getattr(field, "data", None)
    if isinstance(data, date):
        return localdate(data)
    for choice in getattr(field, "choices", None) or ():
        value, label = _pair(choice)
        if value != "" and str(value) == str(data):
            return str(label)
    return str(data)


def _applied(key: str, field: object) -> bool:
    """Whether the list applies this filter field (blank and unusable values are dropped, as ``list_filters`` does)."""
    data = getattr(field, "data", None)
    if getattr(field, "errors", None) or data is None or (isinstance(data, str) and not data.strip()):
        return False
    if key in ("product", "asset"):
        return optional_int(data) is not None
    if key == "category":
        values = [_pair(choice)[0] for choice in getattr(field, "choices", None) or ()]
        return any(value != "" and str(value) == str(data) for value in values)
    return True


def filter_chips(
    form: WorkOrderFilterForm, endpoint: str, fields: tuple[str, ...] = FILTER_KEYS, **keep: object
) -> list[FilterChip]:
    """The filters in force among ``fields``, each with the URL of ``endpoint`` without it (``keep``: page keys)."""
    chips = []
    for key in fields:
        if key not in form or not _applied(key, form[key]):
            continue
        field = form[key]
        url = list_url(endpoint, **{key: None}, **keep)
        chips.append(FilterChip(key, str(field.label.text), _shown_value(field), url))
    return chips


def clear_filters_url(endpoint: str, fields: tuple[str, ...] = FILTER_KEYS, **keep: object) -> str:
    """The URL of ``endpoint`` with every filter in ``fields`` removed (quick view and sort kept)."""
    return list_url(endpoint, **dict.fromkeys(fields), **keep)
