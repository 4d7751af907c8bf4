"""Rules every writing work order service shares: an archived work order is frozen, and people act on what they see."""

from __future__ import annotations

from flask_babel import gettext as _

from cube.actors import Actor
from cube.errors import NotAllowed
from cube.extensions import db
from cube.models import WorkOrder
from cube.workorders.scoping import visible_work_orders


def is_changeable(work_order: WorkOrder) -> bool:
    """True while the work order is not archived (an archived one is kept as it is, for the record)."""
    return not work_order.archived


def ensure_changeable(work_order: WorkOrder) -> None:
    """NotAllowed once the work order is archived: no transition, assignment, edit, comment or file."""
    if not is_changeable(work_order):
        raise NotAllowed(_("%(number)s is archived and can no longer change.", number=work_order.number))


def ensure_visible(actor: Actor, work_order: WorkOrder, message: str) -> None:
    """NotAllowed unless ``visible_work_orders(actor)`` holds the work order (the system actor sees all)."""
    query = visible_work_orders(actor).where(WorkOrder.id == work_order.id).with_only_columns(WorkOrder.id)
    if db.session.scalar(query) is None:
        raise NotAllowed(message)
