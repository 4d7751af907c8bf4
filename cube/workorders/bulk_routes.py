"""Views: one change applied to many work orders from the list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.auth.redirects import is_local_path
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.parsing import optional_int
from cube.permissions import signed_in
from cube.workorders import bulk
from cube.workorders.blueprint import bp
from cube.workorders.forms import BulkForm

# What a bad id in the form names, as whole sentences (keys are not shown).
UNKNOWN = {
    "work_order": _l("The form names a work order that does not exist."),
    "person": _l("The form names a person that does not exist."),
    "team": _l("The form names a team that does not exist."),
    "priority": _l("The form names a priority that does not exist."),
    "status": _l("The form names a status that does not exist."),
}


def _id(value: object, what: str = "work_order") -> int:
    """A submitted record id, or 400."""
    number = optional_int(value)
    if number is None:
        abort(400, str(UNKNOWN[what]))
    return number


def _optional_id(value: str | None, what: str) -> int | None:
    """A submitted record id when one was given, or 400 for garbage."""
    return _id(value, what) if (value or "").strip() else None


@bp.route("/bulk", methods=["POST"])
@signed_in
def bulk_action() -> Response | str:
    """Apply one change to the selected work orders and report each one: done, or refused and why."""
    form = BulkForm()
    back = form.next.data if is_local_path(form.next.data or "") else url_for("workorders.list_work_orders")
    ids = [_id(value) for value in request.form.getlist("ids")]
    if not ids:
        flash(_("Select at least one work order."), "warning")
        return redirect(back)
    if not form.validate_on_submit():
        abort(400, _("Choose an action for the selected work orders."))
    change = bulk.BulkChange(
        action=bulk.BulkAction(form.action.data),
        assignee_ids=tuple(_id(value, "person") for value in form.assignee_ids.data or ()),
        team_id=_optional_id(form.team_id.data, "team"),
        priority_id=_optional_id(form.priority_id.data, "priority"),
        status_id=_optional_id(form.status_id.data, "status"),
        reason=form.reason.data or "",
    )
    try:
        report = bulk.apply_bulk(current_user, ids, change)
    except ValidationFailed as exc:  # a change the form cannot express (it is a bad request, not a page to show)
        abort(400, exc.message)
    db.session.commit()
    return render_template("workorders/bulk_result.html", report=report, back=back)
