"""Views: time on a work order (the timer and entries by hand)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import act
from cube.i18n import number
from cube.permissions import requires, signed_in
from cube.timezones import as_utc
from cube.workorders import services, timelogs
from cube.workorders.blueprint import bp
from cube.workorders.forms import TimeEntryForm
from cube.workorders.pages import detail_at, refused

ANCHOR = "time"


@bp.route("/<int:work_order_id>/timer/start", methods=["POST"])
@requires("workorder.work")
def start_timer(work_order_id: int) -> Response:
    """Start your timer on this work order (a timer running elsewhere stops)."""
    work_order = services.get_visible(current_user, work_order_id)
    return act(
        lambda: timelogs.start_timer(current_user, work_order),
        success=_("Timer running on %(number)s.", number=work_order.number),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


@bp.route("/<int:work_order_id>/timer/stop", methods=["POST"])
@requires("workorder.work")
def stop_timer(work_order_id: int) -> Response:
    """Stop your timer on this work order and log its hours."""
    work_order = services.get_visible(current_user, work_order_id)
    return act(
        lambda: timelogs.stop_timer(current_user, work_order),
        success=lambda log: (
            _("Timer stopped: %(hours)s h logged.", hours=number(log.hours, 2))
            if log is not None
            else _("Timer stopped after less than a minute; nothing was logged.")
        ),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


@bp.route("/<int:work_order_id>/time", methods=["POST"])
@requires("workorder.work")
def add_time_entry(work_order_id: int) -> Response:
    """Log time worked by hand: a start and either hours or an end."""
    work_order = services.get_visible(current_user, work_order_id)
    form = TimeEntryForm(prefix="time")
    if not form.validate_on_submit():
        return refused(work_order.id, ANCHOR, form)
    return act(
        lambda: timelogs.add_entry(
            current_user,
            work_order,
            as_utc(form.started_at.data, current_user),
            hours=form.hours.data,
            ended_at=as_utc(form.ended_at.data, current_user),
            note=form.note.data or "",
        ),
        success=lambda log: _("%(hours)s h logged.", hours=number(log.hours, 2)),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


@bp.route("/<int:work_order_id>/time/<int:log_id>/delete", methods=["POST"])
@signed_in
def delete_time_entry(work_order_id: int, log_id: int) -> Response:
    """Delete a time entry: your own (workorder.work) or anyone's (workorder.edit), checked by the service."""
    work_order = services.get_visible(current_user, work_order_id)
    log = timelogs.get_log(work_order, log_id)
    return act(
        lambda: timelogs.delete_entry(current_user, work_order, log),
        success=_("Time entry deleted."),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )
