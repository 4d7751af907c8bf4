"""Views: the product catalog and categories."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube import editing
from cube.edge import act, save_form
from cube.extensions import db
from cube.models import Product, ProductCategory
from cube.pagination import page_of
from cube.parsing import optional_int
from cube.permissions import can, requires
from cube.products import catalog as service
from cube.products.blueprint import bp
from cube.products.filters import product_filters
from cube.products.forms import CategoryForm, ProductForm, category_options
from cube.products.product_page import render_product, stock_form


@bp.route("/products")
@requires("catalog.view")
def list_products() -> str:
    """Search, filter, sort and page through the catalog."""
    form, filters = product_filters()
    return render_template("products/products.html", form=form, page=page_of(service.products_query(filters)))


@bp.route("/stock/low")
@requires("catalog.view")
def low_stock() -> str:
    """Products whose stock on hand is below their minimum."""
    return render_template("products/low_stock.html", page=page_of(service.low_stock_query()))


def _product_form(product: Product | None) -> ProductForm:
    form = ProductForm(obj=product)
    form.category_id.choices = category_options(blank=_("No category"))
    if product is not None and not form.is_submitted():
        form.specs.data = service.specs_text(product.specs)
        form.version.data = str(product.version)
        form.opened.data = editing.seal(service.edit_snapshot(product))
    return form


def _product_data(form: ProductForm) -> service.ProductData:
    return service.ProductData(
        sku=form.sku.data or "",
        name=form.name.data or "",
        category_id=form.category_id.data,
        description=form.description.data or "",
        manufacturer_id=form.manufacturer_id.data,
        unit=form.unit.data or "each",
        unit_cost=form.unit_cost.data if form.unit_cost.data is not None else Decimal("0"),
        unit_price=form.unit_price.data if form.unit_price.data is not None else Decimal("0"),
        specs=service.parse_specs(form.specs.data or ""),
        is_spare_part=bool(form.is_spare_part.data),
        min_stock=form.min_stock.data if form.min_stock.data is not None else Decimal("0"),
        active=bool(form.active.data),
    )


@bp.route("/products/new", methods=["GET", "POST"], defaults={"product_id": None})
@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@requires("catalog.manage")
def edit_product(product_id: int | None) -> Response | str:
    """Create a product, or edit one (a stale edit gets a 409 showing what changed)."""
    product = db.get_or_404(Product, product_id) if product_id is not None else None
    form = _product_form(product)
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: service.save_product(
                current_user,
                product,
                _product_data(form),
                expected_version=optional_int(form.version.data),
                opened=editing.unseal(form.opened.data),
            ),
            success=lambda saved: _("%(name)s saved.", name=saved.sku),
            redirect_to=lambda saved: url_for("products.show_product", product_id=saved.id),
        )
        if done is not None:
            return done
    return render_template("products/product_form.html", form=form, product=product)


@bp.route("/products/<int:product_id>")
@requires("catalog.view")
def show_product(product_id: int) -> str:
    """A product: details, images, stock per location, movements and assets."""
    product = db.get_or_404(Product, product_id)
    return render_product(product, stock_form() if can("stock.move") else None)


@bp.route("/categories")
@requires("catalog.view")
def list_categories() -> str:
    """The category tree."""
    form = CategoryForm(prefix="category")
    form.parent_id.choices = category_options(blank=_("Top level"))
    return render_template("products/categories.html", tree=service.category_tree(), form=form)


@bp.route("/categories/new", methods=["POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>/edit", methods=["POST"])
@requires("catalog.manage")
def save_category(category_id: int | None) -> Response:
    """Add a category, or rename or move one."""
    category = db.get_or_404(ProductCategory, category_id) if category_id is not None else None
    form = CategoryForm(prefix="category")
    form.parent_id.choices = category_options(blank=_("Top level"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "danger")
        return redirect(url_for("products.list_categories"))
    return act(
        lambda: service.save_category(current_user, category, form.name.data or "", form.parent_id.data),
        success=lambda saved: _("Category %(path)s saved.", path=saved.path),
        redirect_to=url_for("products.list_categories"),
    )
