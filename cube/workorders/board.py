"""The Kanban board's query: the first cards of every active status and how many match, in one statement."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from cube.actors import Actor
from cube.extensions import db
from cube.models import Status, WorkOrder
from cube.workflow.categories import OPEN_CATEGORIES
from cube.workorders.queries import ASSIGNEE_NAMES, WorkOrderFilters, sort_order, work_order_list


@dataclass(frozen=True)
class BoardColumn:
    """One status on the board: its first cards, how many match in all, and whether it starts folded."""

    status: Status
    cards: list[WorkOrder]
    total: int
    folded: bool = False  # finished work (done, cancelled): a narrow column with its name and count
    expanded: bool = False  # a folded column the filters single out opens by itself


def folds(status: Status) -> bool:
    """True when the board shows ``status`` folded: its category is not open work (done or cancelled)."""
    return status.category not in OPEN_CATEGORIES


def singled_out(status: Status, filters: WorkOrderFilters) -> bool:
    """True when the filters ask for exactly this status or its category (its folded column opens)."""
    return filters.status_id == status.id or filters.category == status.category


def board_columns(user: Actor, filters: WorkOrderFilters, limit: int) -> list[BoardColumn]:
    """Active statuses by position with the first ``limit`` visible, filtered cards and a total each.

    One statement ranks and counts the cards of every column (window functions), so the page costs
    the same number of queries however many cards or statuses there are. Cards follow the list's sort.
    """
    statuses = list(
        db.session.scalars(select(Status).where(Status.active.is_(True)).order_by(Status.position, Status.id))
    )
    ranked = (
        work_order_list(user, filters)
        .where(Status.active.is_(True))
        .order_by(None)
        .with_only_columns(
            WorkOrder.id.label("id"),
            func.row_number().over(partition_by=WorkOrder.status_id, order_by=sort_order(filters.sort)).label("place"),
            func.count().over(partition_by=WorkOrder.status_id).label("total"),
        )
        .subquery()
    )
    query = (
        select(WorkOrder, ranked.c.total)
        .join(ranked, ranked.c.id == WorkOrder.id)
        .where(ranked.c.place <= limit)
        .order_by(ranked.c.place)
        .options(ASSIGNEE_NAMES)
    )
    cards: dict[int, list[WorkOrder]] = defaultdict(list)
    totals: dict[int, int] = {}
    for work_order, total in db.session.execute(query):
        cards[work_order.status_id].append(work_order)
        totals[work_order.status_id] = total
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
