"""The work order list: filters, quick views, search and sorting over the visible set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select, union
from sqlalchemy.orm import InstrumentedAttribute, lazyload, load_only, selectinload

from cube.actors import Actor
from cube.extensions import db
from cube.models import Comment, Priority, Status, User, WorkOrder, utcnow, work_order_assignees
from cube.timezones import zone_of
from cube.workflow.categories import OPEN_CATEGORIES, category_of
from cube.workorders.scoping import visible_work_orders

# Sort keys users may ask for -> columns (a leading "-" means descending); lists and the board share them.
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "created": WorkOrder.created_at,
    "due": WorkOrder.due_at,
    "number": WorkOrder.number,
    "updated": WorkOrder.updated_at,
    "priority": Priority.position,
}
SORT_CHOICES = [
    ("-created", _l("Newest first")),
    ("created", _l("Oldest first")),
    ("due", _l("Due soonest")),
    ("-due", _l("Due latest")),
    ("priority", _l("Priority")),
    ("number", _l("Number")),
    ("-updated", _l("Recently changed")),
]
DEFAULT_SORT = "-created"
# Quick views that show open work only (no finished or cancelled work orders).
OPEN_WORK_VIEWS = ("my", "unassigned", "overdue", "week")


def sort_order(sort: str) -> list[ColumnElement[Any]]:
    """The ORDER BY of a sort key (newest first when the key is unknown), ties broken by newest id."""
    key = sort.lstrip("-")
    column = SORTS.get(key, WorkOrder.created_at)
    descending = sort.startswith("-") if key in SORTS else True
    return [column.desc() if descending else column.asc(), WorkOrder.id.desc()]


@dataclass(frozen=True)
class WorkOrderFilters:
    """What the list is narrowed by; every field is optional."""

    q: str = ""
    view: str = ""
    status_id: int | None = None
    category: str = ""
    priority_id: int | None = None
    type_id: int | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    company_id: int | None = None
    product_id: int | None = None
    asset_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = DEFAULT_SORT


# The assignees of each row of a list or board in one statement, by name: no other column, and not their role.
ASSIGNEE_NAMES = selectinload(WorkOrder.assignees).options(load_only(User.id, User.name), lazyload(User.role))
# The columns a row of the list shows (not the description, which may be long, nor the costs).
LIST_COLUMNS = load_only(
    WorkOrder.id,
    WorkOrder.number,
    WorkOrder.title,
    WorkOrder.status_id,
    WorkOrder.priority_id,
    WorkOrder.type_id,
    WorkOrder.due_at,
)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of ``day`` in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=zone)


def sorted_by(query: Select[Any], sort: str) -> Select[Any]:
    """``query`` ordered by the sort key ``sort`` (joining the priorities when it sorts by them)."""
    if sort.lstrip("-") == "priority":
        query = query.join(Priority, Priority.id == WorkOrder.priority_id)
    return query.order_by(*sort_order(sort))


def work_order_list(user: Actor, filters: WorkOrderFilters) -> Select[tuple[WorkOrder]]:
    """The visible work orders matching ``filters``, sorted as asked."""
    return sorted_by(matching_work_orders(user, filters), filters.sort).options(ASSIGNEE_NAMES)


def matching_work_orders(user: Actor, filters: WorkOrderFilters) -> Select[tuple[WorkOrder]]:
    """The visible work orders matching ``filters``, unsorted (joined to their status only).

    Counting it reads no more than the filters need: with no priority join, a count by status is an
    index-only scan.
    """
    zone = zone_of(user)
    now = utcnow()
    query = visible_work_orders(user).join(Status, Status.id == WorkOrder.status_id)
    assigned_to = lambda uid: WorkOrder.id.in_(  # noqa: E731
        select(work_order_assignees.c.work_order_id).where(work_order_assignees.c.user_id == uid)
    )
    if filters.view in OPEN_WORK_VIEWS:
        query = query.where(Status.category.in_(OPEN_CATEGORIES))
    if filters.view == "my":
        query = query.where(assigned_to(user.id))
    elif filters.view == "unassigned":
        query = query.where(~WorkOrder.id.in_(select(work_order_assignees.c.work_order_id)))
    elif filters.view == "overdue":
        query = query.where(WorkOrder.due_at < now)
    elif filters.view == "week":
        today = now.astimezone(zone).date()
        start = _day_start(today - timedelta(days=today.weekday()), zone)
        query = query.where(WorkOrder.due_at >= start, WorkOrder.due_at < start + timedelta(days=7))
    if filters.q:
        needle = filters.q.strip().lower()
        # One indexed lookup per place the text may be (trigram indexes on PostgreSQL), united into a
        # set of ids: a rare term then costs a few index probes, not a scan of every work order.
        matches = union(
            select(WorkOrder.id).where(func.lower(WorkOrder.number).contains(needle, autoescape=True)),
            select(WorkOrder.id).where(func.lower(WorkOrder.title).contains(needle, autoescape=True)),
            select(WorkOrder.id).where(func.lower(WorkOrder.description).contains(needle, autoescape=True)),
            select(Comment.work_order_id).where(func.lower(Comment.body).contains(needle, autoescape=True)),
        )
        query = query.where(WorkOrder.id.in_(select(matches.subquery().c[0])))
    if filters.status_id is not None:
        query = query.where(WorkOrder.status_id == filters.status_id)
    category = category_of(filters.category)
    if category is not None:
        query = query.where(Status.category == category)
    for column, value in (
        (WorkOrder.priority_id, filters.priority_id),
        (WorkOrder.type_id, filters.type_id),
        (WorkOrder.team_id, filters.team_id),
        (WorkOrder.company_id, filters.company_id),
        (WorkOrder.product_id, filters.product_id),
        (WorkOrder.asset_id, filters.asset_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.assignee_id is not None:
        query = query.where(assigned_to(filters.assignee_id))
    if filters.due_from:
        query = query.where(WorkOrder.due_at >= _day_start(filters.due_from, zone))
    if filters.due_to:
        query = query.where(WorkOrder.due_at < _day_start(filters.due_to + timedelta(days=1), zone))
    if filters.created_from:
        query = query.where(WorkOrder.created_at >= _day_start(filters.created_from, zone))
    if filters.created_to:
        query = query.where(WorkOrder.created_at < _day_start(filters.created_to + timedelta(days=1), zone))
    return query


def recent_work_orders(
    user: Actor, *, asset_id: int | None = None, company_id: int | None = None, limit: int = 20
) -> list[WorkOrder]:
    """The newest work orders on an asset or for a company that ``user`` may see."""
    query = visible_work_orders(user).order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit)
    if asset_id is not None:
        query = query.where(WorkOrder.asset_id == asset_id)
    if company_id is not None:
        query = query.where(WorkOrder.company_id == company_id)
    return list(db.session.scalars(query))


def comments_by_id(work_order: WorkOrder) -> dict[int, Comment]:
    """The comments of a work order by id (the timeline shows them next to their events)."""
    query = select(Comment).where(Comment.work_order_id == work_order.id)
    return {comment.id: comment for comment in db.session.scalars(query)}
