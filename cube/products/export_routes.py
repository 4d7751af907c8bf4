"""Views: downloading the filtered company, product and asset lists as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.exports import csv_response, xlsx_response
from cube.permissions import requires
from cube.products import imports as service
from cube.products.blueprint import bp
from cube.products.filters import asset_filters, company_filters, product_filters

FORMATS = ("csv", "xlsx")


def _requested_format() -> str:
    """The ``format`` query argument (csv by default); 400 for anything else."""
    chosen = request.args.get("format", "csv") or "csv"
    if chosen not in FORMATS:
        abort(400, _("Choose format=csv or format=xlsx."))
    return chosen


def _download(rows: Iterable[Iterable[object]], name: str, chosen: str) -> Response:
    if chosen == "xlsx":
        return xlsx_response(rows, f"{name}.xlsx", sheet_title=name.title())
    return csv_response(rows, f"{name}.csv")


@bp.route("/products/export")
@requires("catalog.export")
def export_products() -> Response:
    """The product list, filtered as on the list page, as CSV or XLSX (importable again)."""
    chosen = _requested_format()
    _, filters = product_filters()
    return _download(service.product_rows(filters, current_user), "products", chosen)


@bp.route("/companies/export")
@requires("catalog.export")
def export_companies() -> Response:
    """The company list, filtered as on the list page, as CSV or XLSX (importable again)."""
    chosen = _requested_format()
    _, filters = company_filters()
    return _download(service.company_rows(filters), "companies", chosen)


@bp.route("/assets/export")
@requires("catalog.export")
def export_assets() -> Response:
    """The asset list, filtered as on the list page, as CSV or XLSX (importable again)."""
    chosen = _requested_format()
    _, filters = asset_filters()
    return _download(service.asset_rows(filters), "assets", chosen)
