"""Views: the work order PDF and the list export (CSV, XLSX)."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.exports import csv_response, xlsx_response
from cube.i18n import reader_zone
from cube.models import utcnow
from cube.permissions import requires, signed_in
from cube.urls import external_url
from cube.workorders import exporting, pdf, services
from cube.workorders.blueprint import bp
from cube.workorders.listing import list_filters

FORMATS = ("csv", "xlsx")


@bp.route("/<int:work_order_id>.pdf")
@signed_in
def work_order_pdf(work_order_id: int) -> Response:
    """The work order as a printable PDF download (404 when the user may not see it)."""
    work_order = services.get_visible(current_user, work_order_id)
    link = external_url("workorders.show_work_order", work_order_id=work_order.id)
    body = pdf.work_order_pdf(work_order, link=link, zone=reader_zone(), viewer=current_user._get_current_object())
    response = Response(body, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"{work_order.number}.pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/export")
@requires("workorder.export")
def export_work_orders() -> Response:
    """The visible work orders, filtered as on the list page, streamed as CSV or XLSX (400 for another format)."""
    chosen = request.args.get("format", "csv") or "csv"
    if chosen not in FORMATS:
        abort(400, _("Choose format=csv or format=xlsx."))
    _form, filters = list_filters()
    rows = exporting.work_order_rows(current_user._get_current_object(), filters, reader_zone())
    name = f"work-orders-{utcnow():%Y%m%d-%H%M}"
    if chosen == "xlsx":
        return xlsx_response(rows, f"{name}.xlsx", sheet_title=_("Work orders"))
    return csv_response(rows, f"{name}.csv")
