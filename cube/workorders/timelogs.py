"""Time on work orders: one running timer per person, manual entries, and their labour cost.

Every entry copies the person's hourly rate when it is made, so a later pay
change does not rewrite old costs. A person's row is locked while their timer
changes, so two "start" clicks at the same moment leave one timer running.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cube.actors import Actor, is_system, person_id
from cube.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from cube.extensions import db
from cube.models import TimeLog, User, WorkOrder, utcnow
from cube.validation import decimal_value, optional_text
from cube.workorders import costs, events
from cube.workorders.rules import ensure_changeable

MAX_HOURS = Decimal("24")
MAX_NOTE = 500
HOUR_STEP = Decimal("0.01")
MIN_TIMER_RUN = timedelta(minutes=1)  # a timer stopped sooner logs nothing; an entry by start and end is refused


def _now() -> datetime:
    """The current time to the second (MySQL's DATETIME keeps no fractions; every backend stores the same)."""
    return utcnow().replace(microsecond=0)


def hours_between(started_at: datetime, ended_at: datetime) -> Decimal:
    """Elapsed hours, rounded to two decimals."""
    seconds = Decimal(str((ended_at - started_at).total_seconds()))
    return (seconds / Decimal(3600)).quantize(HOUR_STEP, rounding=ROUND_HALF_UP)


def logs_for(work_order: WorkOrder) -> list[TimeLog]:
    """The work order's time entries and running timers, newest first, with their people."""
    query = (
        select(TimeLog)
        .where(TimeLog.work_order_id == work_order.id)
        .options(joinedload(TimeLog.user))
        .order_by(TimeLog.started_at.desc(), TimeLog.id.desc())
    )
    return list(db.session.scalars(query))


def running_timer(user: Actor) -> TimeLog | None:
    """The timer ``user`` has running on any work order, if any."""
    query = select(TimeLog).where(TimeLog.user_id == user.id, TimeLog.ended_at.is_(None)).order_by(TimeLog.id)
    return db.session.scalars(query).first()


def work_order_number(log: TimeLog) -> str:
    """The number of the work order a time log belongs to."""
    return db.session.scalar(select(WorkOrder.number).where(WorkOrder.id == log.work_order_id)) or ""


def get_log(work_order: WorkOrder, log_id: int) -> TimeLog:
    """The time entry ``log_id`` of this work order; NotFound otherwise."""
    log = db.session.get(TimeLog, log_id)
    if log is None or log.work_order_id != work_order.id:
        raise NotFound(_("There is no such time entry on this work order."))
    return log


def _lock_person(user: Actor) -> None:
    """Serialise one person's timer changes (a row lock on them)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def can_log_time(actor: Actor, work_order: WorkOrder) -> bool:
    """True when ``actor`` may log time on the work order now (a person with workorder.work, while it is open)."""
    return not is_system(actor) and actor.has_permission("workorder.work") and costs.is_workable(work_order)


def _check(actor: Actor, work_order: WorkOrder) -> None:
    """Refuse unless ``can_log_time`` (saying why)."""
    if is_system(actor):
        raise NotAllowed(_("Time is logged by the person who did the work, not by the system."))
    costs.require_any(actor, ("workorder.work",), _("You may not log time."))
    ensure_changeable(work_order)
    costs.ensure_workable(work_order, "time")


def _finish(actor: Actor, log: TimeLog, ended_at: datetime) -> bool:
    """Stop a running timer and charge its work order; a run under a minute is discarded (False), not logged."""
    work_order = db.session.get(WorkOrder, log.work_order_id)
    assert work_order is not None  # a time log's work order is never deleted
    costs.lock(work_order)
    if ended_at - log.started_at < MIN_TIMER_RUN:
        events.record(work_order, actor, "timer_discarded", time_log_id=log.id, user_id=log.user_id)
        db.session.delete(log)  # a mis-tap, not work: no "0.00 h" entry in the page, the costs or the PDF
        db.session.flush()
        return False
    log.ended_at = max(ended_at, log.started_at)
    log.hours = hours_between(log.started_at, log.ended_at)
    db.session.flush()
    events.record(
        work_order, actor, "time_logged", time_log_id=log.id, user_id=log.user_id, hours=f"{log.hours:.2f}", timer=True
    )
    costs.recalculate(work_order)
    return True


def start_timer(actor: Actor, work_order: WorkOrder) -> TimeLog:
    """Start the actor's timer here; a timer running elsewhere is stopped first."""
    _check(actor, work_order)
    _lock_person(actor)
    running = running_timer(actor)
    if running is not None and running.work_order_id == work_order.id:
        return running
    now = _now()
    if running is not None:
        previous = db.session.get(WorkOrder, running.work_order_id)
        assert previous is not None
        costs.lock(previous, work_order)
        _finish(actor, running, now)
    costs.lock(work_order)
    log = TimeLog(
        work_order_id=work_order.id,
        user_id=person_id(actor),
        started_at=now,
        hourly_rate=Decimal(actor.hourly_rate or 0),
        hours=Decimal("0"),
    )
    db.session.add(log)
    db.session.flush()
    events.record(work_order, actor, "timer_started", time_log_id=log.id, user_id=log.user_id)
    return log


def stop_timer(actor: Actor, work_order: WorkOrder) -> TimeLog | None:
    """Stop the actor's timer on this work order and add its hours; None when it ran under a minute (discarded).

    Stopping is allowed even after the work order was completed, cancelled or archived:
    the time was spent, and the timer would otherwise run forever.
    """
    costs.require_any(actor, ("workorder.work",), _("You may not log time."))
    _lock_person(actor)
    running = running_timer(actor)
    if running is None or running.work_order_id != work_order.id:
        raise InvalidTransition(_("You have no timer running on this work order."))
    return running if _finish(actor, running, _now()) else None


def add_entry(
    actor: Actor,
    work_order: WorkOrder,
    started_at: datetime | None,
    *,
    hours: Decimal | str | None = None,
    ended_at: datetime | None = None,
    note: str = "",
) -> TimeLog:
    """Record time worked by the actor: a start and either hours or an end (over 0, at most 24 h, not ahead)."""
    _check(actor, work_order)
    if started_at is None:
        raise ValidationFailed(_("Enter when the work started."), field="started_at")
    if started_at.tzinfo is None:
        raise ValidationFailed(_("The start needs a time zone."), field="started_at")
    started_at = started_at.replace(microsecond=0)
    given_hours = hours not in (None, "")
    if given_hours == (ended_at is not None):
        raise ValidationFailed(_("Enter either the hours or when the work ended."), field="hours")
    if given_hours:
        amount = decimal_value(hours, field="hours", label=_("Hours"), places=2)
        end = started_at + timedelta(hours=float(amount))
    else:
        assert ended_at is not None
        if ended_at.tzinfo is None:
            raise ValidationFailed(_("The end needs a time zone."), field="ended_at")
        ended_at = ended_at.replace(microsecond=0)
        if ended_at <= started_at:
            raise ValidationFailed(_("The end must be after the start."), field="ended_at")
        if ended_at - started_at < MIN_TIMER_RUN:
            raise ValidationFailed(_("An entry must be at least a minute long."), field="ended_at")
        amount = hours_between(started_at, ended_at)
        end = ended_at
    if amount <= 0:
        raise ValidationFailed(_("Hours must be more than zero."), field="hours")
    if given_hours and end - started_at < MIN_TIMER_RUN:  # 0.01 h is 36 seconds
        raise ValidationFailed(_("An entry must be at least a minute long."), field="hours")
    if amount > MAX_HOURS:
        raise ValidationFailed(_("One entry can be at most 24 hours; split longer work."), field="hours")
    if end > _now():
        raise ValidationFailed(_("Time cannot be logged in the future."), field="started_at")
    costs.lock(work_order)
    log = TimeLog(
        work_order_id=work_order.id,
        user_id=person_id(actor),
        started_at=started_at,
        ended_at=end,
        hours=amount,
        hourly_rate=Decimal(actor.hourly_rate or 0),
        note=optional_text(note, field="note", label=_("The note"), max_length=MAX_NOTE),
    )
    db.session.add(log)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "time_logged",
        time_log_id=log.id,
        user_id=log.user_id,
        hours=f"{amount:.2f}",
        started_at=log.started_at.isoformat(timespec="seconds"),
        note=log.note,
    )
    costs.recalculate(work_order)
    return log


def may_delete(actor: Actor, log: TimeLog) -> bool:
    """True when ``actor`` may delete ``log``: their own with workorder.work, anyone's with workorder.edit."""
    own = log.user_id == person_id(actor) and actor.has_permission("workorder.work")
    return own or actor.has_permission("workorder.edit")


def delete_entry(actor: Actor, work_order: WorkOrder, log: TimeLog) -> None:
    """Remove a time entry: your own with workorder.work, anyone's with workorder.edit."""
    if log.work_order_id != work_order.id:
        raise NotFound(_("There is no such time entry on this work order."))
    if not may_delete(actor, log):
        raise NotAllowed(_("You may only delete your own time entries."))
    ensure_changeable(work_order)
    costs.ensure_workable(work_order, "time")
    costs.lock(work_order)
    events.record(
        work_order,
        actor,
        "time_deleted",
        time_log_id=log.id,
        user_id=log.user_id,
        hours=f"{Decimal(log.hours):.2f}",
        started_at=log.started_at.isoformat(timespec="seconds"),
    )
    db.session.delete(log)
    db.session.flush()
    costs.recalculate(work_order)
