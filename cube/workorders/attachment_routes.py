"""Views: work order attachments (upload, download, remove)."""

from __future__ import annotations

from flask import abort, flash, redirect, send_file
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from cube import storage
from cube.edge import act
from cube.extensions import db
from cube.forms import CubeForm
from cube.models import Attachment
from cube.permissions import signed_in
from cube.workorders import attachments, services
from cube.workorders.blueprint import bp
from cube.workorders.forms import AttachmentForm
from cube.workorders.pages import detail_at


def _detail(work_order_id: int) -> str:
    """The work order's page at its attachments."""
    return detail_at(work_order_id, "attachments")


def _flash_form_errors(form: CubeForm) -> None:
    """Show a refused form's messages."""
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
        return redirect(_detail(work_order.id))
    upload: FileStorage = form.file.data
    data = upload.stream.read(attachments.max_bytes() + 1)  # one byte over is enough to refuse it
    return act(
        lambda: attachments.add_attachment(current_user, work_order, upload.filename or "", data),
        success=lambda attachment: _("Attached %(name)s.", name=attachment.original_name),
        redirect_to=_detail(work_order.id),
    )


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
    back = _detail(attachment.work_order_id)
    if not CubeForm().validate_on_submit():
        return redirect(back)
    return act(
        lambda: attachments.delete_attachment(current_user, attachment),
        success=_("Attachment removed."),
        redirect_to=back,
    )
