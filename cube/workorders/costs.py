"""What a work order has cost so far (hours, labour, parts), and when its work may still change.

``actual_hours`` and ``actual_cost`` are written with one UPDATE whose values
are SQL aggregates over the time logs and part usages, after the work order
row is locked: two people logging time at the same moment both end up in the
totals. The UPDATE leaves the optimistic-lock ``version`` alone on purpose, so
logging time never turns someone's open edit form into a conflict (the edit
form does not contain the totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, select, update

from cube.actors import Actor
from cube.errors import InvalidTransition, NotAllowed
from cube.extensions import db
from cube.models import PartUsage, TimeLog, WorkOrder
from cube.workflow.categories import OPEN_CATEGORIES

CENT = Decimal("0.01")
VIEW_COSTS = "workorder.view_costs"
# Keys of work order history (event data and edited-field labels) that carry money.
# Keys, never shown: older edits stored the English labels.
COST_DETAILS = frozenset(
    {"unit_cost", "estimated_cost", "Estimated cost", "Actual cost", "hourly_rate"}  # i18n: not shown (stored keys)
)


@dataclass(frozen=True)
class Totals:
    """Hours and money recorded on a work order."""

    hours: Decimal
    labour_cost: Decimal
    parts_cost: Decimal

    @property
    def total_cost(self) -> Decimal:
        return self.labour_cost + self.parts_cost


def _hours_sum(work_order_id: int) -> ScalarSelect[Any]:
    return (
        select(func.coalesce(func.sum(TimeLog.hours), 0))
        .where(TimeLog.work_order_id == work_order_id, TimeLog.ended_at.is_not(None))
        .scalar_subquery()
    )


def _labour_sum(work_order_id: int) -> ScalarSelect[Any]:
    return (
        select(func.coalesce(func.sum(TimeLog.hours * TimeLog.hourly_rate), 0))
        .where(TimeLog.work_order_id == work_order_id, TimeLog.ended_at.is_not(None))
        .scalar_subquery()
    )


def _parts_sum(work_order_id: int) -> ScalarSelect[Any]:
    return (
        select(func.coalesce(func.sum(PartUsage.quantity * PartUsage.unit_cost), 0))
        .where(PartUsage.work_order_id == work_order_id)
        .scalar_subquery()
    )


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def totals(work_order: WorkOrder) -> Totals:
    """Hours, labour cost and parts cost of finished time entries and parts, summed in SQL."""
    row = db.session.execute(
        select(_hours_sum(work_order.id), _labour_sum(work_order.id), _parts_sum(work_order.id))
    ).one()
    return Totals(hours=_money(row[0]), labour_cost=_money(row[1]), parts_cost=_money(row[2]))


def lock(*work_orders: WorkOrder) -> None:
    """Take the work orders' row locks (in id order) so concurrent changes to their time and parts queue up."""
    ids = sorted({w.id for w in work_orders})
    db.session.execute(select(WorkOrder.id).where(WorkOrder.id.in_(ids)).order_by(WorkOrder.id).with_for_update())


def recalculate(work_order: WorkOrder) -> Totals:
    """Store actual hours and actual cost (labour + parts) on the work order; call after every change."""
    lock(work_order)
    db.session.flush()
    result = totals(work_order)
    db.session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == work_order.id)
        .values(actual_hours=result.hours, actual_cost=result.total_cost)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(work_order, ["actual_hours", "actual_cost", "updated_at"])
    return result


def may_see_costs(actor: Actor | None) -> bool:
    """True when ``actor`` may see hourly rates, labour and part costs and cost totals."""
    return actor is not None and actor.has_permission(VIEW_COSTS)


def is_cost_detail(key: object) -> bool:
    """True when a history entry's ``key`` holds a money figure (shown only to those who may see costs)."""
    return key in COST_DETAILS


def is_workable(work_order: WorkOrder) -> bool:
    """True while the work order's checklist, time and parts may change (open, active or waiting)."""
    return not work_order.archived and work_order.status.category in OPEN_CATEGORIES


def ensure_workable(work_order: WorkOrder, what: str) -> None:
    """Refuse changes to checklists, time and parts (``what``: "checklist", "time", "parts") once done or cancelled."""
    if is_workable(work_order):
        return
    values = {"number": work_order.number, "status": work_order.status.name.lower()}
    if what == "checklist":
        message = _("%(number)s is %(status)s: its checklist can no longer change.", **values)
    elif what == "parts":
        message = _("%(number)s is %(status)s: its parts can no longer change.", **values)
    else:
        message = _("%(number)s is %(status)s: its time can no longer change.", **values)
    raise InvalidTransition(message)


def holds_any(actor: Actor, permissions: tuple[str, ...]) -> bool:
    """True when ``actor`` holds at least one of ``permissions``."""
    return any(actor.has_permission(p) for p in permissions)


def require_any(actor: Actor, permissions: tuple[str, ...], message: str) -> None:
    """NotAllowed unless ``actor`` holds at least one of ``permissions``."""
    if not holds_any(actor, permissions):
        raise NotAllowed(message)
