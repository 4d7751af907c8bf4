"""The append-only history of a work order.

``record`` is the one way to write an event. Its ``data`` holds values, not
display text: ids of users, teams, statuses, transitions, products, items;
keys and enum values (a status category, a checklist kind); numbers (decimals
as strings); ISO times in UTC; and free text only where it is the change itself
(a reason, a note, a label, a file name). ``cube.workorders.timeline`` turns
events into sentences.
"""

from __future__ import annotations

from typing import Any

from cube.actors import Actor, is_system, person_id
from cube.extensions import db
from cube.models import WorkOrder, WorkOrderEvent


def record(work_order: WorkOrder, actor: Actor | None, kind: str, /, **data: Any) -> WorkOrderEvent:
    """Append an event (created, status_changed, assigned, edited, commented, ...); the system's own are marked."""
    event = WorkOrderEvent(
        work_order_id=work_order.id, actor_id=person_id(actor), by_system=is_system(actor), kind=kind, data=data
    )
    db.session.add(event)
    return event
