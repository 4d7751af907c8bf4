"""The calendar's query: the visible, filtered work orders due or planned to start in a month, by day."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, or_

from cube.actors import Actor
from cube.extensions import db
from cube.models import Status, WorkOrder
from cube.workorders.queries import WorkOrderFilters, work_order_list

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
YEARS = range(1900, 3000)


@dataclass(frozen=True)
class CalendarEntry:
    """A work order on a calendar day, because it is due or planned to start then."""

    work_order: Row[Any]  # id, number, title, status name and colour
    kind: str  # "due" or "start"
    at: datetime  # in the user's zone


def month_start(value: str | None, today: date) -> date:
    """The first day of ``value`` (YYYY-MM), or of this month when it is missing or not a real month."""
    match = MONTH.fullmatch((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if year in YEARS and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def shift(first: date, months: int) -> date:
    """The first day of the month ``months`` away from ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_entries(
    user: Actor, filters: WorkOrderFilters, first: date, zone: ZoneInfo, limit: int
) -> tuple[dict[date, list[CalendarEntry]], bool]:
    """Visible, filtered work orders due or planned to start in the month of ``first`` (in ``zone``), by day.

    One query; the flag is True when more than ``limit`` work orders matched and some were left out.
    """
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    following = shift(first, 1)
    end = datetime(following.year, following.month, 1, tzinfo=zone)
    query = (
        work_order_list(user, filters)
        .where(
            or_(
                and_(WorkOrder.due_at >= start, WorkOrder.due_at < end),
                and_(WorkOrder.planned_start >= start, WorkOrder.planned_start < end),
            )
        )
        .with_only_columns(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.title,
            WorkOrder.due_at,
            WorkOrder.planned_start,
            Status.name.label("status_name"),
            Status.color.label("status_color"),
        )
        .order_by(None)
        .order_by(WorkOrder.id)
        .limit(limit + 1)
    )
    work_orders = list(db.session.execute(query))
    days: dict[date, list[CalendarEntry]] = defaultdict(list)
    for work_order in work_orders[:limit]:
        for kind, moment in (("start", work_order.planned_start), ("due", work_order.due_at)):
            if moment is not None and start <= moment < end:
                local = moment.astimezone(zone)
                days[local.date()].append(CalendarEntry(work_order, kind, local))
    for entries in days.values():
        entries.sort(key=lambda entry: (entry.at, entry.work_order.number))
    return days, len(work_orders) > limit
