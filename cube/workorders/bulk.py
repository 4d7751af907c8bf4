"""Bulk changes on the list: assign, set priority or move many work orders, each one checked and reported."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from cube.actors import Actor, person_id
from cube.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import Priority, Status, Team, Transition, User, WorkOrder
from cube.workflow import engine
from cube.workorders import assignees, events, services
from cube.workorders.rules import ensure_changeable
from cube.workorders.scoping import visible_work_orders

MAX_ITEMS = 200
NOT_FOUND = _l("There is no such work order, or you may not see it.")
CHANGED_MEANWHILE = _l("Someone else changed this work order at the same moment; try again.")
# Permissions behind at least one bulk action (transitions need one of the workflow permissions).
BULK_PERMISSIONS = (
    "workorder.assign",
    "workorder.edit",
    "workorder.work",
    "workorder.approve",
    "workorder.review",
    "workorder.cancel",
)


class BulkAction(enum.StrEnum):
    """What a bulk change does to every selected work order."""

    ASSIGN = "assign"
    PRIORITY = "priority"
    TRANSITION = "transition"


@dataclass(frozen=True)
class BulkChange:
    """One bulk change: the action and what it needs (people and/or team, a priority, or a target status)."""

    action: BulkAction
    assignee_ids: tuple[int, ...] = ()
    team_id: int | None = None
    priority_id: int | None = None
    status_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class ItemResult:
    """What happened to one selected work order."""

    work_order_id: int
    number: str  # empty when the user may not see the work order
    done: bool
    message: str


@dataclass(frozen=True)
class BulkReport:
    """The outcome of a bulk change, item by item in the order they were selected."""

    description: str
    items: list[ItemResult]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def refused(self) -> int:
        return len(self.items) - self.done


def may_use_bulk(user: Actor) -> bool:
    """True when ``user`` holds a permission that at least one bulk action needs."""
    return any(user.has_permission(permission) for permission in BULK_PERMISSIONS)


def set_priority(actor: Actor, work_order: WorkOrder, priority: Priority) -> bool:
    """Change a work order's priority (needs workorder.edit); False when it already has that priority."""
    if not actor.has_permission("workorder.edit"):
        raise NotAllowed(_("You may not change the priority of work orders."))
    ensure_changeable(work_order)
    if work_order.priority_id == priority.id:
        return False
    old = work_order.priority_id
    work_order.priority_id = priority.id
    work_order.priority = priority
    work_order.updated_by_id = person_id(actor)
    db.session.flush()
    events.record(work_order, actor, "edited", changes={"priority_id": [old, priority.id]})
    return True


@dataclass
class _Plan:
    """A checked change with the rows it refers to, loaded once for every item."""

    change: BulkChange
    description: str
    team: Team | None = None
    people: tuple[User, ...] = ()
    priority: Priority | None = None
    target: Status | None = None


def _check(change: BulkChange) -> _Plan:
    """Refuse a change that is incomplete or names unknown records, before any work order is touched."""
    if change.action is BulkAction.ASSIGN:
        if not change.assignee_ids and change.team_id is None:
            raise ValidationFailed(_("Choose people or a team to assign."), field="assignee_ids")
        team = db.session.get(Team, change.team_id) if change.team_id is not None else None
        if change.team_id is not None and team is None:
            raise ValidationFailed(_("Choose a team from the list."), field="team_id")
        people = tuple(assignees.assignable_people(change.assignee_ids))
        names = ", ".join(p.name for p in people)
        if people and team:
            description = _("Assign to %(people)s and team %(team)s", people=names, team=team.name)
        elif team:
            description = _("Assign to team %(team)s", team=team.name)
        else:
            description = _("Assign to %(people)s", people=names)
        return _Plan(change, description, team=team, people=people)
    if change.action is BulkAction.PRIORITY:
        priority = db.session.get(Priority, change.priority_id) if change.priority_id is not None else None
        if priority is None or not priority.active:
            raise ValidationFailed(_("Choose a priority from the list."), field="priority_id")
        return _Plan(change, _("Set priority to %(priority)s", priority=priority.name), priority=priority)
    target = db.session.get(Status, change.status_id) if change.status_id is not None else None
    if target is None or not target.active:
        raise ValidationFailed(_("Choose a status to move to."), field="status_id")
    return _Plan(change, _("Move to %(status)s", status=target.name), target=target)


def _assign(actor: Actor, work_order: WorkOrder, plan: _Plan) -> str:
    # What the change does not name is kept: people only keeps the team, a team only keeps the people.
    """Assign one work order as the change asks; what happened, in words."""
    people = tuple(p.id for p in plan.people) or tuple(u.id for u in work_order.assignees)
    team_id = plan.team.id if plan.team is not None else work_order.team_id
    moved = services.assign(actor, work_order, people, team_id=team_id)
    said = _said_assigned(work_order)
    if not moved:
        return said
    # Translators: said of a work order after "Assigned to …": assigning moved it to this status.
    status = _("Moved to %(status)s.", status=moved[-1].name)
    return f"{said} {status}"


def _said_assigned(work_order: WorkOrder) -> str:
    """To whom and to which team a work order is assigned, in words."""
    names = ", ".join(sorted(u.name for u in work_order.assignees))
    team = work_order.team.name if work_order.team else None
    if names and team:
        return _("Assigned to %(people)s, team %(team)s.", people=names, team=team)
    if names:
        return _("Assigned to %(people)s.", people=names)
    if team:
        return _("Assigned to nobody, team %(team)s.", team=team)
    return _("Assigned to nobody.")


def _prioritise(actor: Actor, work_order: WorkOrder, plan: _Plan) -> str:
    """Set one work order's priority; what happened, in words."""
    assert plan.priority is not None
    changed = set_priority(actor, work_order, plan.priority)
    if changed:
        return _("Priority set to %(priority)s.", priority=plan.priority.name)
    return _("Already %(priority)s.", priority=plan.priority.name)


def _move(actor: Actor, work_order: WorkOrder, plan: _Plan, routes: dict[int, list[Transition]]) -> str:
    """Move one work order to the target status along its own transition; what happened, in words."""
    target = plan.target
    assert target is not None
    if work_order.status_id == target.id:
        return _("Already %(status)s.", status=target.name)
    if work_order.status_id not in routes:
        routes[work_order.status_id] = engine.transitions_from(work_order.status_id)
    # Statuses differ per item: take the transition from this one's status to the target, if the workflow has it.
    transition = next((t for t in routes[work_order.status_id] if t.to_status_id == target.id), None)
    if transition is None:
        raise InvalidTransition(
            _("It cannot move from %(current)s to %(target)s.", current=work_order.status.name, target=target.name)
        )
    status = engine.apply_transition(actor, work_order, transition.id, plan.change.reason)
    return _("Now %(status)s.", status=status.name)


def apply_bulk(actor: Actor, work_order_ids: Sequence[int], change: BulkChange) -> BulkReport:
    """Apply ``change`` to each work order ``actor`` may see and act on; report every id, done or refused.

    The change itself is checked first (ValidationFailed: nothing is touched). Then each work order is
    changed inside its own savepoint, so a refused one leaves no trace while the others stay changed;
    the caller commits them all at once.
    """
    ids = list(dict.fromkeys(work_order_ids))
    if not ids:
        raise ValidationFailed(_("Select at least one work order."), field="ids")
    if len(ids) > MAX_ITEMS:
        raise ValidationFailed(
            ngettext(
                "Change at most %(num)d work order at once.", "Change at most %(num)d work orders at once.", MAX_ITEMS
            ),
            field="ids",
        )
    plan = _check(change)
    query = visible_work_orders(actor).where(WorkOrder.id.in_(ids)).options(selectinload(WorkOrder.assignees))
    found = {work_order.id: work_order for work_order in db.session.scalars(query)}
    routes: dict[int, list[Transition]] = {}
    handlers: dict[BulkAction, Callable[[User, WorkOrder, _Plan], str]] = {
        BulkAction.ASSIGN: _assign,
        BulkAction.PRIORITY: _prioritise,
        BulkAction.TRANSITION: lambda user, work_order, checked: _move(user, work_order, checked, routes),
    }
    handler = handlers[change.action]
    items: list[ItemResult] = []
    for work_order_id in ids:
        work_order = found.get(work_order_id)
        if work_order is None:
            items.append(ItemResult(work_order_id, "", False, str(NOT_FOUND)))
            continue
        try:
            with db.session.begin_nested():
                message = handler(actor, work_order, plan)
        except DomainError as exc:
            items.append(ItemResult(work_order_id, work_order.number, False, exc.message))
        except StaleDataError:
            items.append(ItemResult(work_order_id, work_order.number, False, str(CHANGED_MEANWHILE)))
        else:
            items.append(ItemResult(work_order_id, work_order.number, True, message))
    return BulkReport(plan.description, items)
