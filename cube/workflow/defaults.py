"""The default workflow, priorities and types (the first migration installs the same)."""

from __future__ import annotations

from sqlalchemy import func, select

from cube.extensions import db
from cube.models import Priority, Status, Transition, WorkOrderType

STATUSES = [
    # name, category, colour, position, initial
    ("New", "open", "info", 10, True),
    ("Approved", "open", "primary", 20, False),
    ("Assigned", "open", "primary", 30, False),
    ("In progress", "active", "warning", 40, False),
    ("On hold", "waiting", "secondary", 50, False),
    ("Completed", "done", "success", 60, False),
    ("Closed", "done", "dark", 70, False),
    ("Cancelled", "cancelled", "secondary", 80, False),
    ("Rejected", "cancelled", "danger", 90, False),
]
TRANSITIONS = [
    # from, to, button label, permission, guards
    ("New", "Approved", "Approve", "workorder.approve", []),
    ("New", "Rejected", "Reject", "workorder.approve", ["reason"]),
    ("New", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Approved", "Assigned", "Mark assigned", "workorder.assign", ["assignee"]),
    ("Approved", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Assigned", "In progress", "Start work", "workorder.work", ["assignee"]),
    ("Assigned", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("In progress", "On hold", "Pause", "workorder.work", ["reason"]),
    ("In progress", "Completed", "Complete", "workorder.work", ["checklist"]),
    ("In progress", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("On hold", "In progress", "Resume", "workorder.work", []),
    ("On hold", "Cancelled", "Cancel", "workorder.cancel", ["reason"]),
    ("Completed", "Closed", "Review and close", "workorder.review", []),
    ("Completed", "In progress", "Send back", "workorder.review", ["reason"]),
    ("Closed", "Assigned", "Reopen", "workorder.review", ["reason"]),
    ("Cancelled", "New", "Reopen", "workorder.review", ["reason"]),
    ("Rejected", "New", "Reopen", "workorder.review", ["reason"]),
]
PRIORITIES = [
    ("Urgent", "danger", 10, False),
    ("High", "warning", 20, False),
    ("Normal", "primary", 30, True),
    ("Low", "secondary", 40, False),
]
TYPES = ["Corrective", "Preventive", "Inspection", "Installation", "Emergency"]


def ensure_default_workflow() -> bool:
    """Install the default statuses, transitions, priorities and types into an empty setup."""
    if db.session.scalar(select(func.count()).select_from(Status)):
        return False
    statuses = {
        name: Status(name=name, category=category, color=color, position=position, is_initial=initial)
        for name, category, color, position, initial in STATUSES
    }
    db.session.add_all(statuses.values())
    db.session.flush()
    db.session.add_all(
        Transition(
            from_status_id=statuses[a].id,
            to_status_id=statuses[b].id,
            name=label,
            permission=permission,
            guards=list(guards),
            position=position,
        )
        for position, (a, b, label, permission, guards) in enumerate(TRANSITIONS)
    )
    if not db.session.scalar(select(func.count()).select_from(Priority)):
        db.session.add_all(Priority(name=n, color=c, position=p, is_default=d) for n, c, p, d in PRIORITIES)
    if not db.session.scalar(select(func.count()).select_from(WorkOrderType)):
        db.session.add_all(WorkOrderType(name=name) for name in TYPES)
    db.session.flush()
    return True
