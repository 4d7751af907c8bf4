"""Views: work order attachments (upload, download, remove) and bulk changes from the list."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import Select, select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from cube import storage
from cube.auth.redirects import is_local_path
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.forms import CubeForm, options
from cube.models import Attachment, Priority, Status, Team, User, WorkOrder
from cube.permissions import signed_in
from cube.workorders import attachments, bulk, services
from cube.workorders.routes import bp

MAX_ID = 2**31 - 1


class AttachmentForm(CubeForm):
    file = FileField("File", validators=[FileRequired("Choose a file to attach.")])


class BulkForm(CubeForm):
    action = SelectField("Action", choices=options((a.value, a.value) for a in bulk.BulkAction))
    assignee_ids = SelectMultipleField("Assign to", validate_choice=False)
    team_id = StringField("Team", validators=[Optional()])
    priority_id = StringField("Priority", validators=[Optional()])
    status_id = StringField("Move to", validators=[Optional()])
    reason = StringField("Reason", validators=[Optional(), Length(max=2000)])
    next = HiddenField()


def _detail(work_order_id: int) -> Response:
    return redirect(url_for("workorders.show_work_order", work_order_id=work_order_id) + "#attachments")


def _flash_form_errors(form: CubeForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


@bp.route("/<int:work_order_id>/attachments", methods=["POST"])
@signed_in
def upload_attachment(work_order_id: int) -> Response:
    """Attach a file to a work order (checked by content; the name is kept as a label only)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _detail(work_order.id)
    upload: FileStorage = form.file.data
    data = upload.stream.read(attachments.max_bytes() + 1)  # one byte over is enough to refuse it
    try:
        attachment = attachments.add_attachment(current_user, work_order, upload.filename or "", data)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"Attached {attachment.original_name}.", "success")
    return _detail(work_order_id)


def _visible_attachment(attachment_id: int) -> Attachment:
    """The attachment if its work order is visible to the current user; 404 otherwise."""
    attachment = db.get_or_404(Attachment, attachment_id)
    services.get_visible(current_user, attachment.work_order_id)
    return attachment


@bp.route("/attachments/<int:attachment_id>")
@signed_in
def download_attachment(attachment_id: int) -> Response:
    """Download an attachment: always saved, never displayed or sniffed, under its original name."""
    attachment = _visible_attachment(attachment_id)
    try:
        path = storage.path_of(attachment.stored_name)
    except storage.BadStoredName:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachments.download_name(attachment),
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@signed_in
def delete_attachment(attachment_id: int) -> Response:
    """Remove an attachment (its uploader or an editor)."""
    attachment = _visible_attachment(attachment_id)
    work_order_id = attachment.work_order_id
    if CubeForm().validate_on_submit():
        attachments.delete_attachment(current_user, attachment)
        db.session.commit()
        flash("Attachment removed.", "success")
    return _detail(work_order_id)


@dataclass
class AttachmentPanel:
    """What the detail page shows about files: the list and what the user may do with it."""

    items: list[Attachment]
    can_upload: bool
    deletable: set[int] = field(default_factory=set)
    max_mb: float = 0


def _upload_limit() -> int:
    """The largest file an upload can carry: the attachment limit, or the request limit when lower."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(attachments.max_bytes(), request_limit) if request_limit else attachments.max_bytes()


@bp.app_template_global("attachment_panel")
def attachment_panel(work_order: WorkOrder) -> AttachmentPanel:
    """The attachments section of a work order page, for the signed-in user."""
    items = attachments.attachments_of(work_order)
    return AttachmentPanel(
        items=items,
        can_upload=attachments.can_upload(current_user, work_order),
        deletable={a.id for a in items if attachments.can_delete(current_user, a)},
        max_mb=_upload_limit() / (1024 * 1024),
    )


@dataclass
class BulkChoices:
    """The options of the bulk form on the list."""

    people: list[tuple[int, str]]
    teams: list[tuple[int, str]]
    priorities: list[tuple[int, str]]
    statuses: list[tuple[int, str]]


@bp.app_template_global("bulk_choices")
def bulk_choices() -> BulkChoices | None:
    """Options for the list's bulk form, or None when the user can take no bulk action."""
    if not current_user.is_authenticated or not bulk.may_use_bulk(current_user):
        return None

    def pairs(query: Select[tuple[int, str]]) -> list[tuple[int, str]]:
        return [(row[0], row[1]) for row in db.session.execute(query)]

    return BulkChoices(
        people=pairs(select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)),
        teams=pairs(select(Team.id, Team.name).order_by(Team.name)),
        priorities=pairs(
            select(Priority.id, Priority.name).where(Priority.active.is_(True)).order_by(Priority.position)
        ),
        statuses=pairs(select(Status.id, Status.name).where(Status.active.is_(True)).order_by(Status.position)),
    )


def _id(value: object, what: str = "work order") -> int:
    """A submitted record id, or 400."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        abort(400, f"The form names a {what} that does not exist.")
    return int(text)


def _optional_id(value: str | None, what: str) -> int | None:
    return _id(value, what) if (value or "").strip() else None


@bp.route("/bulk", methods=["POST"])
@signed_in
def bulk_action() -> Response | str:
    """Apply one change to the selected work orders and report each one: done, or refused and why."""
    form = BulkForm()
    back = form.next.data if is_local_path(form.next.data or "") else url_for("workorders.list_work_orders")
    ids = [_id(value) for value in request.form.getlist("ids")]
    if not ids:
        flash("Select at least one work order.", "warning")
        return redirect(back)
    if not form.validate_on_submit():
        abort(400, "Choose an action for the selected work orders.")
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
    except ValidationFailed as exc:
        abort(400, exc.message)
    db.session.commit()
    return render_template("workorders/bulk_result.html", report=report, back=back)
