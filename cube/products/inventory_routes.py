"""Views: stock movements and the ledger."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import REFUSED, save_form
from cube.extensions import db
from cube.i18n import number
from cube.models import Location, Product
from cube.pagination import window
from cube.parsing import optional_int
from cube.permissions import requires
from cube.products import inventory
from cube.products.blueprint import bp
from cube.products.product_page import render_product, stock_form


@bp.route("/products/<int:product_id>/stock", methods=["POST"])
@requires("stock.move")
def move_stock(product_id: int) -> Response | tuple[str, int]:
    """Receive, issue, return, transfer or adjust a product's stock; a refusal shows the page again with the values."""
    product = db.get_or_404(Product, product_id)
    form = stock_form()
    if form.validate_on_submit():
        movement = inventory.Movement(
            product_id=product.id,
            location_id=form.location_id.data or 0,
            quantity=form.quantity.data or 0,
            reference=form.reference.data or "",
            reason=form.reason.data or "",
            # Without the field (people who do not see costs) a receipt is recorded as with a blank unit cost.
            unit_cost=form.unit_cost.data if form.unit_cost is not None else None,
        )
        done = save_form(
            form,
            lambda: inventory.record(
                current_user, form.kind.data or "", movement, to_location_id=form.to_location_id.data
            ),
            success=lambda _row: _(
                "Stock of %(sku)s updated: %(total)s on hand.",
                sku=product.sku,
                total=number(inventory.total_on_hand(product.id)),
            ),
            redirect_to=url_for("products.show_product", product_id=product.id) + "#stock",
        )
        if done is not None:
            return done
    return render_product(product, form), REFUSED


@bp.route("/stock/movements")
@requires("catalog.view")
def stock_ledger() -> str:
    """The stock ledger, newest first, optionally for one product or location."""
    product_id = optional_int(request.args.get("product"))
    location_id = optional_int(request.args.get("location"))
    page = window(inventory.ledger_query(product_id=product_id, location_id=location_id), per_page=50)
    product = db.session.get(Product, product_id) if product_id else None
    location = db.session.get(Location, location_id) if location_id else None
    return render_template("products/ledger.html", page=page, product=product, location=location)
