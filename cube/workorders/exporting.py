"""Rows for exporting the filtered work order list (CSV or XLSX), read in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import joinedload

from cube.actors import Actor
from cube.extensions import db
from cube.models import WorkOrder
from cube.products.assets import location_tree
from cube.workorders import costs
from cube.workorders.queries import WorkOrderFilters, work_order_list

EXPORT_BATCH = 500
TIME_FORMAT = "%Y-%m-%d %H:%M"
# The header row is a file format (imports and people's spreadsheets read it by name): English in every language.
COLUMNS = (
    "Number",  # i18n: not shown (file format)
    "Title",  # i18n: not shown (file format)
    "Status",  # i18n: not shown (file format)
    "Status category",  # i18n: not shown (file format)
    "Priority",  # i18n: not shown (file format)
    "Type",  # i18n: not shown (file format)
    "Assignees",  # i18n: not shown (file format)
    "Team",  # i18n: not shown (file format)
    "Requester",  # i18n: not shown (file format)
    "Company",  # i18n: not shown (file format)
    "Asset serial",  # i18n: not shown (file format)
    "Location",  # i18n: not shown (file format)
    "Due",  # i18n: not shown (file format)
    "Planned start",  # i18n: not shown (file format)
    "Created",  # i18n: not shown (file format)
    "Completed",  # i18n: not shown (file format)
    "Closed",  # i18n: not shown (file format)
    "Estimated hours",  # i18n: not shown (file format)
    "Actual hours",  # i18n: not shown (file format)
)
# Only for those who may see costs (workorder.view_costs).
COST_COLUMNS = ("Actual cost",)  # i18n: not shown (file format)


def work_order_rows(user: Actor, filters: WorkOrderFilters, zone: ZoneInfo) -> Iterator[list[str]]:
    """The header and one row per work order ``user`` sees through ``filters``; times in ``zone``.

    Cost columns are included only when ``user`` may see costs.
    """
    show_costs = costs.may_see_costs(user)
    yield [*COLUMNS, *(COST_COLUMNS if show_costs else ())]
    paths = {node.id: node.path for node, _ in location_tree()}
    query = (
        work_order_list(user, filters)
        .options(
            joinedload(WorkOrder.requester),
            joinedload(WorkOrder.team),
            joinedload(WorkOrder.company),
            joinedload(WorkOrder.asset),
        )
        .execution_options(yield_per=EXPORT_BATCH)
    )

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).strftime(TIME_FORMAT) if value else ""

    for wo in db.session.scalars(query):
        row = [
            wo.number,
            wo.title,
            wo.status.name,
            wo.status.category,
            wo.priority.name,
            wo.type.name,
            ", ".join(person.name for person in wo.assignees),
            wo.team.name if wo.team else "",
            wo.requester.name if wo.requester else "",
            wo.company.name if wo.company else "",
            wo.asset.serial_number if wo.asset else "",
            paths.get(wo.location_id, "") if wo.location_id else "",
            when(wo.due_at),
            when(wo.planned_start),
            when(wo.created_at),
            when(wo.completed_at),
            when(wo.closed_at),
            _two_places(wo.estimated_hours),
            _two_places(wo.actual_hours),
        ]
        if show_costs:
            row.append(_two_places(wo.actual_cost))
        yield row


def _two_places(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"
