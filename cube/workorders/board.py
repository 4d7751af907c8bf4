"""The Kanban board's query: the first cards of every active status and how many match, in one statement.

Each column is its own small query (the status's first cards in the list's sort, read through an index on
``status_id`` and the sort column, and a count that stops at ``COUNT_CAP``), and the columns are united into
one statement. So the board costs the same however many work orders there are: a column never reads more
than ``COUNT_CAP + 1`` rows, whether the table holds a thousand or a million.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, literal, select, union_all

from cube.actors import Actor
from cube.extensions import db
from cube.models import Priority, Status, User, WorkOrder, work_order_assignees
from cube.workflow.categories import OPEN_CATEGORIES, category_of
from cube.workorders.queries import (
    DEFAULT_SORT,
    OPEN_WORK_VIEWS,
    WorkOrderFilters,
    matching_work_orders,
    sort_order,
    sorted_by,
)

COUNT_CAP = 500  # a column counts its work orders up to here and then says "500+"


@dataclass(frozen=True)
class Badge:
    """What a priority badge shows."""

    name: str
    color: str


@dataclass(frozen=True)
class Card:
    """What a card shows of a work order (read as plain rows: a board holds up to a few hundred)."""

    id: int
    number: str
    title: str
    status_id: int
    priority: Badge
    due_at: datetime | None
    assignees: list[str] = field(default_factory=list)  # names, in order


@dataclass(frozen=True)
class BoardColumn:
    """One status on the board: its first cards, how many match (up to the cap), and whether it starts folded."""

    status: Status
    cards: list[Card]
    total: int  # how many visible, filtered work orders the status holds, counted up to COUNT_CAP + 1
    folded: bool = False  # finished work (done, cancelled): a narrow column with its name and count
    expanded: bool = False  # a folded column the filters single out opens by itself

    @property
    def capped(self) -> bool:
        """True when the column holds more than ``COUNT_CAP`` work orders (the count stopped there)."""
        return self.total > COUNT_CAP

    @property
    def shown_total(self) -> int:
        """The count the column shows: the total, or the cap when the count stopped there."""
        return min(self.total, COUNT_CAP)


def folds(status: Status) -> bool:
    """True when the board shows ``status`` folded: its category is not open work (done or cancelled)."""
    return status.category not in OPEN_CATEGORIES


def singled_out(status: Status, filters: WorkOrderFilters) -> bool:
    """True when the filters ask for exactly this status or its category (its folded column opens)."""
    return filters.status_id == status.id or filters.category == status.category


def may_hold(status: Status, filters: WorkOrderFilters) -> bool:
    """False when the filters rule out every work order in ``status`` (its column is empty without asking)."""
    if filters.status_id is not None and filters.status_id != status.id:
        return False
    category = category_of(filters.category)
    if category is not None and category != status.category:
        return False
    return filters.view not in OPEN_WORK_VIEWS or status.category in OPEN_CATEGORIES


def _column(matching: Select[tuple[WorkOrder]], status_id: int, sort: str, limit: int) -> Select[tuple[int, int, int]]:
    """One column: the ids of its first ``limit`` cards, their places, and its count up to ``COUNT_CAP + 1``."""
    in_status = matching.where(WorkOrder.status_id == status_id)
    # Counted newest first: the order of the board's index, so the count walks it however far the table's
    # pages are marked all-visible (unordered, the planner may prefer to scan the table until it has enough).
    counted = in_status.with_only_columns(literal(1)).order_by(*sort_order(DEFAULT_SORT)).limit(COUNT_CAP + 1)
    place = func.row_number().over(order_by=sort_order(sort))
    first = (
        sorted_by(in_status, sort)
        .with_only_columns(WorkOrder.id.label("id"), place.label("place"))
        .limit(limit)
        .subquery()
    )
    total = select(func.count()).select_from(counted.subquery()).scalar_subquery()
    return select(first.c.id, first.c.place, total.label("total"))


def _assignee_names(work_order_ids: list[int]) -> dict[int, list[str]]:
    """The names of each work order's assignees, in name order (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    if work_order_ids:
        query = (
            select(work_order_assignees.c.work_order_id, User.name)
            .join(User, User.id == work_order_assignees.c.user_id)
            .where(work_order_assignees.c.work_order_id.in_(work_order_ids))
            .order_by(User.name)
        )
        for work_order_id, name in db.session.execute(query):
            names[work_order_id].append(name)
    return names


def board_columns(user: Actor, filters: WorkOrderFilters, limit: int) -> list[BoardColumn]:
    """Active statuses by position with the first ``limit`` visible, filtered cards and a count each.

    The columns the filters leave open are united into one statement (a column with no card has no
    row in it, and its count is 0), so the page costs the same number of queries however many cards
    or statuses there are. Cards follow the list's sort.
    """
    statuses = list(
        db.session.scalars(select(Status).where(Status.active.is_(True)).order_by(Status.position, Status.id))
    )
    asked = [status for status in statuses if may_hold(status, filters)]
    cards: dict[int, list[Card]] = defaultdict(list)
    totals: dict[int, int] = {}
    if asked:
        matching = matching_work_orders(user, filters)
        ranked = union_all(*(_column(matching, s.id, filters.sort, limit) for s in asked)).subquery()
        query = (
            select(
                WorkOrder.id,
                WorkOrder.number,
                WorkOrder.title,
                WorkOrder.status_id,
                WorkOrder.due_at,
                Priority.name.label("priority_name"),
                Priority.color.label("priority_color"),
                ranked.c.total,
            )
            .join(ranked, ranked.c.id == WorkOrder.id)
            .join(Priority, Priority.id == WorkOrder.priority_id)
            .order_by(ranked.c.place)
        )
        rows = db.session.execute(query).all()
        names = _assignee_names([row.id for row in rows])
        for row in rows:
            priority = Badge(row.priority_name, row.priority_color)
            card = Card(row.id, row.number, row.title, row.status_id, priority, row.due_at, names[row.id])
            cards[row.status_id].append(card)
            totals[row.status_id] = row.total
    return [
        BoardColumn(
            status=s,
            cards=cards.get(s.id, []),
            total=totals.get(s.id, 0),
            folded=folds(s),
            expanded=folds(s) and singled_out(s, filters),
        )
        for s in statuses
    ]
