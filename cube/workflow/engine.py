"""Moving a work order through its statuses: the one place a status changes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from cube.actors import Actor, person_id
from cube.errors import InvalidTransition, NotAllowed, ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import ChecklistItem, Guard, Status, StatusCategory, Transition, WorkOrder, utcnow
from cube.workorders import events, history
from cube.workorders.rules import ensure_changeable

MAX_REASON = 2000


def initial_status() -> Status:
    """The status new work orders start in."""
    status = db.session.scalar(
        select(Status).where(Status.is_initial.is_(True), Status.active.is_(True)).order_by(Status.position)
    )
    if status is None:
        raise ValidationFailed(_("No initial status is configured; an admin must set one up."))
    return status


def transitions_from(status_id: int) -> list[Transition]:
    """Every transition leaving a status, in button order."""
    query = select(Transition).where(Transition.from_status_id == status_id).order_by(Transition.position)
    return list(db.session.scalars(query))


def available_transitions(user: Actor, work_order: WorkOrder) -> list[Transition]:
    """The transitions ``user`` may take from the work order's current status."""
    return [t for t in transitions_from(work_order.status_id) if user.has_permission(t.permission)]


def available_by_status(user: Actor, status_ids: set[int]) -> dict[int, list[Transition]]:
    """For each status, the transitions ``user`` may take from it (one query for all)."""
    if not status_ids:
        return {}
    query = select(Transition).where(Transition.from_status_id.in_(status_ids)).order_by(Transition.position)
    found: dict[int, list[Transition]] = {status_id: [] for status_id in status_ids}
    for transition in db.session.scalars(query):
        if user.has_permission(transition.permission):
            found[transition.from_status_id].append(transition)
    return found


def unanswered_required_items(work_order: WorkOrder) -> int:
    """How many required checklist items have no answer yet."""
    query = select(func.count()).where(
        ChecklistItem.work_order_id == work_order.id,
        ChecklistItem.required.is_(True),
        ChecklistItem.answer.is_(None),
    )
    return db.session.scalar(query) or 0


def _check_guards(transition: Transition, work_order: WorkOrder, reason: str) -> None:
    guards = set(transition.guards or [])
    if Guard.REASON in guards and not reason:
        # Translators: %(action)s is the button's label as an admin typed it, in lower case ("reject").
        raise ValidationFailed(_("Give a reason to %(action)s.", action=transition.name.lower()), field="reason")
    if Guard.ASSIGNEE in guards and not work_order.assignees:
        raise InvalidTransition(_("Assign someone first."))
    if Guard.CHECKLIST in guards:
        missing = unanswered_required_items(work_order)
        if missing:
            raise InvalidTransition(
                ngettext(
                    "Answer the %(count)s required checklist item first.",
                    "Answer the %(count)s required checklist items first.",
                    missing,
                    count=number(missing),
                )
            )


def may_take(actor: Actor, work_order: WorkOrder, transition: Transition, reason: str = "") -> bool:
    """True when ``actor`` holds the transition's permission and its guards pass for ``work_order`` now."""
    if transition.from_status_id != work_order.status_id or not actor.has_permission(transition.permission):
        return False
    try:
        _check_guards(transition, work_order, reason)
    except (InvalidTransition, ValidationFailed):
        return False
    return True


def assignment_transition(status_id: int) -> Transition | None:
    """The transition the workflow takes from ``status_id`` when someone is assigned, if any."""
    query = select(Transition).where(Transition.from_status_id == status_id, Transition.on_assign.is_(True))
    return db.session.scalar(query.order_by(Transition.position, Transition.id).limit(1))


def follow_assignment(actor: Actor, work_order: WorkOrder) -> list[Status]:
    """Take the transitions the workflow takes on assignment, one after another, while ``actor`` may.

    Each step goes through ``apply_transition`` (history, events, status periods); the walk stops at a
    status with no such transition, one the actor may not take (permission or guards), or a status seen
    before. Returns the statuses reached, in order (empty when the work order did not move).
    """
    reached: list[Status] = []
    seen = {work_order.status_id}
    while (transition := assignment_transition(work_order.status_id)) is not None:
        if transition.to_status_id in seen or not may_take(actor, work_order, transition):
            break
        reached.append(apply_transition(actor, work_order, transition.id))
        seen.add(transition.to_status_id)
    return reached


def apply_transition(actor: Actor, work_order: WorkOrder, transition_id: int, reason: str = "") -> Status:
    """Move ``work_order`` along ``transition_id`` after checking permission, current status and guards."""
    ensure_changeable(work_order)
    transition = db.session.get(Transition, transition_id)
    if transition is None or transition.from_status_id != work_order.status_id:
        current = work_order.status.name
        raise InvalidTransition(
            _("This change is not possible from %(status)s; the page may be out of date.", status=current)
        )
    if not actor.has_permission(transition.permission):
        # Translators: %(action)s is the button's label as an admin typed it, in lower case ("reject").
        raise NotAllowed(_("You may not %(action)s this work order.", action=transition.name.lower()))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            _("Keep the reason under %(count)s characters.", count=number(MAX_REASON)), field="reason"
        )
    _check_guards(transition, work_order, reason)
    old = work_order.status
    new = transition.to_status
    now = utcnow()
    work_order.status_id = new.id
    work_order.status = new
    _set_milestones(work_order, StatusCategory(old.category), StatusCategory(new.category), now)
    work_order.updated_by_id = person_id(actor)
    history.move(work_order, new, now)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "status_changed",
        from_status_id=old.id,
        from_category=old.category,
        to_status_id=new.id,
        to_category=new.category,
        transition_id=transition.id,
        reason=reason,
    )
    return new


def _set_milestones(work_order: WorkOrder, old: StatusCategory, new: StatusCategory, now: datetime) -> None:
    """Keep started/completed/closed in step with a move between categories (see ``WorkOrder``)."""
    if new == StatusCategory.ACTIVE and work_order.started_at is None:
        work_order.started_at = now
    if new == StatusCategory.DONE and old != StatusCategory.DONE:
        work_order.completed_at = now
        if work_order.first_completed_at is None:
            work_order.first_completed_at = now
    if new == StatusCategory.DONE and old == StatusCategory.DONE:
        work_order.closed_at = now  # a done status reviewed into another: closed
    if new != StatusCategory.DONE:
        work_order.closed_at = None
