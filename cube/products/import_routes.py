"""Views: importing companies, products and assets from CSV files (check first, then import)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf, DataRequired

from cube.edge import load_or_back
from cube.exports import csv_response
from cube.extensions import db
from cube.forms import CubeForm, options
from cube.permissions import requires
from cube.products import imports as service
from cube.products.blueprint import bp

KIND_LABELS = {"companies": _l("Companies"), "products": _l("Products"), "assets": _l("Assets")}
# The preview page's heading for each kind (a whole phrase: languages differ in case and word order).
HEADINGS = {"companies": _l("Import companies"), "products": _l("Import products"), "assets": _l("Import assets")}


class ImportForm(CubeForm):
    kind = RadioField(
        _l("What the file contains"),
        choices=options((kind, KIND_LABELS[kind]) for kind in service.KINDS),
        validators=[DataRequired(_l("Choose what the file contains."))],
    )
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired(_l("Choose a CSV file to upload."))])


class ImportConfirmForm(CubeForm):
    kind = HiddenField(validators=[AnyOf(service.KINDS)])


def _imported(kind: str, summary: str) -> str:
    """The message after an import: what was imported, then the counts."""
    if kind == "companies":
        return _("Imported companies. %(summary)s.", summary=summary)
    if kind == "products":
        return _("Imported products. %(summary)s.", summary=summary)
    return _("Imported assets. %(summary)s.", summary=summary)


def _start_page(form: ImportForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "products/import.html",
        form=form,
        kinds=KIND_LABELS,
        columns=service.COLUMNS,
        required=service.REQUIRED,
    )
    return page, status


def _preview_page(result: service.ImportResult, *, token: str | None, filename: str, status: int) -> tuple[str, int]:
    confirm = ImportConfirmForm(kind=result.kind) if token else None
    page = render_template(
        "products/import_preview.html",
        result=result,
        token=token,
        confirm=confirm,
        filename=filename,
        heading=HEADINGS.get(result.kind, _("Import")),
    )
    return page, status


@bp.route("/import")
@requires("catalog.import")
def import_start() -> tuple[str, int]:
    """Choose what to import and upload a CSV file."""
    return _start_page(ImportForm())


@bp.route("/import/<kind>/template.csv")
@requires("catalog.import")
def import_template(kind: str) -> Response:
    """A CSV file with the columns of ``kind`` and one example row."""
    if kind not in service.KINDS:
        abort(404)
    return csv_response(service.template_rows(kind), f"{kind}-template.csv")


@bp.route("/import", methods=["POST"])
@requires("catalog.import")
def import_preview() -> tuple[str, int]:
    """Dry run: check every row of the uploaded file and show what an import would do."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _start_page(form, 422)
    upload: FileStorage = form.file.data
    data = upload.read()
    result = service.check_file(form.kind.data, data, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    token = None
    if result.ok:
        token = service.stage_file(data)
        db.session.commit()  # keeps the staged file (nothing else was written)
    return _preview_page(result, token=token, filename=upload.filename or "", status=200)


@bp.route("/import/<token>", methods=["POST"])
@requires("catalog.import")
def import_commit(token: str) -> Response | tuple[str, int]:
    """Import a checked file: every row in one transaction, or nothing when any row fails."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Choose the file to import again."), "danger")
        return redirect(url_for("products.import_start"))
    data = load_or_back(
        lambda: service.staged_file(token), back=url_for("products.import_start"), hint=_("Upload the file again.")
    )
    if isinstance(data, Response):
        return data
    kind = form.kind.data
    result = service.import_file(current_user, kind, data, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    if not result.ok:  # not through cube.edge: a failed import shows every row's error on the preview page
        db.session.rollback()
        return _preview_page(result, token=None, filename="", status=422)
    service.discard_staged_file(token)
    db.session.commit()
    flash(_imported(kind, result.summary()), "success")
    return redirect(url_for(service.LIST_ENDPOINTS[kind]))
