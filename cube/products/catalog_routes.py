"""Views: the product catalog and categories."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.errors import DomainError
from cube.extensions import db
from cube.forms import show_error
from cube.models import Product, ProductCategory
from cube.pagination import page_of
from cube.parsing import MAX_ID, bounded_int
from cube.permissions import can, requires
from cube.products import catalog as service
from cube.products import inventory
from cube.products.assets import AssetFilters, assets_query
from cube.products.forms import (
    CategoryForm,
    ProductFilterForm,
    ProductForm,
    StockMovementForm,
    category_options,
    company_options,
    location_options,
)
from cube.products.routes import bp


def product_filters() -> tuple[ProductFilterForm, service.ProductFilters]:
    """The catalog filters from the query string (unknown values are ignored)."""
    form = ProductFilterForm(request.args)
    form.category.choices = category_options(blank="Any category")
    form.manufacturer.choices = company_options(blank="Any manufacturer", manufacturers_only=True)
    form.validate()
    status = form.status.data or ""
    filters = service.ProductFilters(
        q=(form.q.data or "") if not form.q.errors else "",
        category_id=form.category.data,
        manufacturer_id=form.manufacturer.data,
        active={"": True, "archived": False}.get(status),
        spare_parts=bool(form.spare.data),
        low_stock=bool(form.low.data),
        sort=form.sort.data if form.sort.data in service.SORTS else "name",
        descending=bool(form.desc.data),
    )
    return form, filters


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
    form.category_id.choices = category_options(blank="No category")
    form.manufacturer_id.choices = company_options(blank="No manufacturer")
    if product is not None and not form.is_submitted():
        form.specs.data = service.specs_text(product.specs)
        form.version.data = str(product.version)
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


def _expected_version(form: ProductForm) -> int | None:
    value = (form.version.data or "").strip()
    return bounded_int(value, 0, MAX_ID)


@bp.route("/products/new", methods=["GET", "POST"], defaults={"product_id": None})
@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@requires("catalog.manage")
def edit_product(product_id: int | None) -> Response | str:
    """Create a product, or edit one (a stale edit gets a 409 showing what changed)."""
    product = db.get_or_404(Product, product_id) if product_id is not None else None
    form = _product_form(product)
    if form.validate_on_submit():
        try:
            data = _product_data(form)
            if product is None:
                product = service.create_product(current_user, data)
            else:
                service.update_product(current_user, product, data, expected_version=_expected_version(form))
        except DomainError as exc:
            if exc.status_code == 409:
                raise
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{product.sku} saved.", "success")
            return redirect(url_for("products.show_product", product_id=product.id))
    return render_template("products/product_form.html", form=form, product=product)


@bp.route("/products/<int:product_id>")
@requires("catalog.view")
def show_product(product_id: int) -> str:
    """A product: details, images, stock per location, movements and assets."""
    product = db.get_or_404(Product, product_id)
    movement_form = None
    if can("stock.move"):
        movement_form = StockMovementForm(prefix="stock")
        movement_form.location_id.choices = location_options(blank="Choose a location", active_only=True)
        movement_form.to_location_id.choices = location_options(blank="—", active_only=True)
    movements = db.session.scalars(inventory.ledger_query(product_id=product.id).limit(20)).all()
    assets = db.session.scalars(assets_query(AssetFilters(product_id=product.id)).limit(50)).all()
    return render_template(
        "products/product.html",
        product=product,
        levels=inventory.levels_for(product.id),
        total=inventory.total_on_hand(product.id),
        movements=movements,
        assets=assets,
        movement_form=movement_form,
        specs=product.specs or [],
    )


@bp.route("/categories")
@requires("catalog.view")
def list_categories() -> str:
    """The category tree."""
    form = CategoryForm(prefix="category")
    form.parent_id.choices = category_options(blank="Top level")
    return render_template("products/categories.html", tree=service.category_tree(), form=form)


@bp.route("/categories/new", methods=["POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>/edit", methods=["POST"])
@requires("catalog.manage")
def save_category(category_id: int | None) -> Response:
    """Add a category, or rename or move one."""
    category = db.get_or_404(ProductCategory, category_id) if category_id is not None else None
    form = CategoryForm(prefix="category")
    form.parent_id.choices = category_options(blank="Top level")
    if form.validate_on_submit():
        try:
            saved = service.save_category(current_user, category, form.name.data or "", form.parent_id.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"Category {saved.path} saved.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
    return redirect(url_for("products.list_categories"))
