"""Views: stock movements and the ledger."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import act
from cube.extensions import db
from cube.models import Location, Product
from cube.pagination import window
from cube.parsing import optional_int
from cube.permissions import requires
from cube.products import inventory
from cube.products.blueprint import bp
from cube.products.forms import StockMovementForm, location_options


@bp.route("/products/<int:product_id>/stock", methods=["POST"])
@requires("stock.move")
def move_stock(product_id: int) -> Response:
    """Receive, issue, return, transfer or adjust a product's stock."""
    product = db.get_or_404(Product, product_id)
    form = StockMovementForm(prefix="stock")
    form.location_id.choices = location_options(blank="Choose a location", active_only=True)
    form.to_location_id.choices = location_options(blank="—", active_only=True)
    back = url_for("products.show_product", product_id=product.id) + "#stock"
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            flash(f"{getattr(form, name).label.text}: {' '.join(errors)}", "danger")
        return redirect(back)
    movement = inventory.Movement(
        product_id=product.id,
        location_id=form.location_id.data or 0,
        quantity=form.quantity.data or 0,
        reference=form.reference.data or "",
        reason=form.reason.data or "",
        unit_cost=form.unit_cost.data,
    )
    return act(
        lambda: inventory.record(current_user, form.kind.data or "", movement, to_location_id=form.to_location_id.data),
        success=lambda _: (
            f"Stock of {product.sku} updated: {inventory.total_on_hand(product.id).normalize():f} on hand."
        ),
        redirect_to=back,
    )


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
