"""The append-only history of a work order."""

from __future__ import annotations

from typing import Any

from cube.extensions import db
from cube.models import User, WorkOrder, WorkOrderEvent


def record(work_order: WorkOrder, actor: User | None, kind: str, /, **data: Any) -> WorkOrderEvent:
    """Append an event (created, status_changed, assigned, edited, commented, ...)."""
    event = WorkOrderEvent(work_order_id=work_order.id, actor_id=actor.id if actor else None, kind=kind, data=data)
    db.session.add(event)
    return event
