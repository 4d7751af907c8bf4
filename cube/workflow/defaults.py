"""The default workflow, priorities and types (the first migration installs the same).

The names below are data, not the program's words: admins rename them, and every language
shows them as typed (they are never translated), like any status, priority or type an admin adds.
"""

from __future__ import annotations

from sqlalchemy import func, select

from cube.extensions import db
from cube.models import Priority, Status, Transition, WorkOrderType


def _table(text: str) -> list[list[str]]:
    """The rows of a table written one per line, with ``|`` between the cells."""
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


STATUSES = [
    (name, category, color, int(position), initial == "initial")
    for name, category, color, position, initial in _table(
        # name      | category  | colour    | order | initial
        """
        New         | open      | info      | 10 | initial
        Approved    | open      | primary   | 20 |
        Assigned    | open      | primary   | 30 |
        In progress | active    | warning   | 40 |
        On hold     | waiting   | secondary | 50 |
        Completed   | done      | success   | 60 |
        Closed      | done      | dark      | 70 |
        Cancelled   | cancelled | secondary | 80 |
        Rejected    | cancelled | danger    | 90 |
        """  # i18n: not shown (seeded data, shown as typed)
    )
]
TRANSITIONS = [
    (source, target, label, permission, [guard.strip() for guard in guards.split(",") if guard.strip()])
    for source, target, label, permission, guards in _table(
        # from      | to          | button label     | permission        | guards
        """
        New         | Approved    | Approve          | workorder.approve |
        New         | Rejected    | Reject           | workorder.approve | reason
        New         | Cancelled   | Cancel           | workorder.cancel  | reason
        Approved    | Assigned    | Mark assigned    | workorder.assign  | assignee
        Approved    | Cancelled   | Cancel           | workorder.cancel  | reason
        Assigned    | In progress | Start work       | workorder.work    | assignee
        Assigned    | Cancelled   | Cancel           | workorder.cancel  | reason
        In progress | On hold     | Pause            | workorder.work    | reason
        In progress | Completed   | Complete         | workorder.work    | checklist
        In progress | Cancelled   | Cancel           | workorder.cancel  | reason
        On hold     | In progress | Resume           | workorder.work    |
        On hold     | Cancelled   | Cancel           | workorder.cancel  | reason
        Completed   | Closed      | Review and close | workorder.review  |
        Completed   | In progress | Send back        | workorder.review  | reason
        Closed      | Assigned    | Reopen           | workorder.review  | reason
        Cancelled   | New         | Reopen           | workorder.review  | reason
        Rejected    | New         | Reopen           | workorder.review  | reason
        """  # i18n: not shown (seeded data, shown as typed)
    )
]
# Assigning someone takes these transitions in turn, each when the assigner may take it (a supervisor's
# one "assign" brings a New work order to Assigned); admins change this on the transitions page.
ON_ASSIGN = {("New", "Approved"), ("Approved", "Assigned")}  # i18n: not shown (seeded data)
PRIORITIES = [
    (name, color, int(position), default == "default")
    for name, color, position, default in _table(
        # name | colour    | order | default
        """
        Urgent | danger    | 10 |
        High   | warning   | 20 |
        Normal | primary   | 30 | default
        Low    | secondary | 40 |
        """  # i18n: not shown (seeded data, shown as typed)
    )
]
TYPES = [
    name
    for (name,) in _table(
        """
        Corrective
        Preventive
        Inspection
        Installation
        Emergency
        """  # i18n: not shown (seeded data, shown as typed)
    )
]


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
            on_assign=(a, b) in ON_ASSIGN,
        )
        for position, (a, b, label, permission, guards) in enumerate(TRANSITIONS)
    )
    if not db.session.scalar(select(func.count()).select_from(Priority)):
        db.session.add_all(Priority(name=n, color=c, position=p, is_default=d) for n, c, p, d in PRIORITIES)
    if not db.session.scalar(select(func.count()).select_from(WorkOrderType)):
        db.session.add_all(WorkOrderType(name=name) for name in TYPES)
    db.session.flush()
    return True
