"""The product page, shared by its own view and by a refused stock movement (shown again with its values)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from cube.models import Product
from cube.permissions import can
from cube.products import inventory
from cube.products.assets import assets_of_product
from cube.products.forms import StockMovementForm, location_options
from cube.products.imports.export_rows import SEES_PRICES


def stock_form() -> StockMovementForm:
    """The stock movement form with its options; the unit cost only for people who see costs."""
    form = StockMovementForm(prefix="stock")
    form.location_id.choices = location_options(blank=_("Choose a location"), active_only=True)
    form.to_location_id.choices = location_options(blank="—", active_only=True)
    if not can(SEES_PRICES):
        del form.unit_cost
    return form


def render_product(product: Product, movement_form: StockMovementForm | None) -> str:
    """The product page: details, images, stock per location, movements, assets and the movement form."""
    return render_template(
        "products/product.html",
        product=product,
        levels=inventory.levels_for(product.id),
        total=inventory.total_on_hand(product.id),
        movements=inventory.recent_movements(product.id),
        assets=assets_of_product(product.id),
        movement_form=movement_form,
        specs=product.specs or [],
    )
