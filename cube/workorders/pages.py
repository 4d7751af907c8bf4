"""Helpers the work order views share (no views here): where a section's post returns, and its refusals."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cube.forms import CubeForm


def detail_at(work_order_id: int, anchor: str = "") -> str:
    """The work order's page, at one of its sections when ``anchor`` is given."""
    url = url_for("workorders.show_work_order", work_order_id=work_order_id)
    return f"{url}#{anchor}" if anchor else url


def refused(work_order_id: int, anchor: str, form: CubeForm) -> Response:
    """Flash a refused form's messages (with the field's label) and go back to the section."""
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else name
        flash(_("%(field)s: %(errors)s", field=label, errors=" ".join(errors)), "danger")
    return redirect(detail_at(work_order_id, anchor))


def said(message: str) -> str:
    """The success message a view's service step returned."""
    return message


def detail_page(work_order_id: int, status: int) -> Response:
    """The work order's page answered to this request with ``status`` (a section's form kept for it in ``g``).

    Used where a section's form must come back with what was typed (a refusal, 422) rather than after a redirect.
    The page is the detail view's own, found by endpoint so that no view module imports another.
    """
    view = current_app.view_functions["workorders.show_work_order"]
    return make_response(view(work_order_id=work_order_id), status)
