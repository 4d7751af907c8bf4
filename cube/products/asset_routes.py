"""Views: assets and the location tree."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube import editing
from cube.edge import save_form
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Asset, Location
from cube.pagination import page_of
from cube.parsing import optional_int
from cube.permissions import requires
from cube.products import assets as service
from cube.products.blueprint import bp
from cube.products.catalog import product_by_sku
from cube.products.filters import asset_filters
from cube.products.forms import AssetForm, LocationForm, location_options
from cube.workorders.queries import recent_work_orders


@bp.route("/assets")
@requires("catalog.view")
def list_assets() -> str:
    """Search and filter assets."""
    form, filters = asset_filters()
    return render_template("products/assets.html", form=form, page=page_of(service.assets_query(filters)))


def _asset_form(asset: Asset | None) -> AssetForm:
    form = AssetForm(obj=asset)
    form.location_id.choices = location_options(blank=_("No location"))
    if not form.is_submitted():
        if asset is not None:
            form.product_sku.data = asset.product.sku
            form.version.data = str(asset.version)
            form.opened.data = editing.seal(service.edit_snapshot(asset))
        else:
            form.product_sku.data = request.args.get("sku", "")[:64]
    return form


def _asset_data(form: AssetForm) -> service.AssetData:
    product = product_by_sku(form.product_sku.data or "")
    if product is None:
        raise ValidationFailed(_("No product has this SKU."), field="product_sku")
    return service.AssetData(
        product_id=product.id,
        serial_number=form.serial_number.data or "",
        name=form.name.data or "",
        location_id=form.location_id.data,
        company_id=form.company_id.data,
        install_date=form.install_date.data,
        warranty_end=form.warranty_end.data,
        status=form.status.data or "in_service",
        notes=form.notes.data or "",
    )


@bp.route("/assets/new", methods=["GET", "POST"], defaults={"asset_id": None})
@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
@requires("catalog.manage")
def edit_asset(asset_id: int | None) -> Response | str:
    """Register an asset, or edit one (a stale edit gets a 409 showing what changed)."""
    asset = db.get_or_404(Asset, asset_id) if asset_id is not None else None
    form = _asset_form(asset)
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: service.save_asset(
                current_user,
                asset,
                _asset_data(form),
                expected_version=optional_int(form.version.data),
                opened=editing.unseal(form.opened.data),
            ),
            success=lambda saved: _("Asset %(serial)s saved.", serial=saved.serial_number),
            redirect_to=lambda saved: url_for("products.show_asset", asset_id=saved.id),
        )
        if done is not None:
            return done
    return render_template("products/asset_form.html", form=form, asset=asset)


@bp.route("/assets/<int:asset_id>")
@requires("catalog.view")
def show_asset(asset_id: int) -> str:
    """An asset with its QR code and history."""
    asset = db.get_or_404(Asset, asset_id)
    work_orders = recent_work_orders(current_user, asset_id=asset.id)
    return render_template("products/asset.html", asset=asset, work_orders=work_orders)


@bp.route("/locations")
@requires("catalog.view")
def list_locations() -> str:
    """The site > building > area tree."""
    return render_template("products/locations.html", tree=service.location_tree())


@bp.route("/locations/new", methods=["GET", "POST"], defaults={"location_id": None})
@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@requires("catalog.manage")
def edit_location(location_id: int | None) -> Response | str:
    """Add a location, or rename, move or archive one."""
    location = db.get_or_404(Location, location_id) if location_id is not None else None
    form = LocationForm(obj=location)
    form.parent_id.choices = location_options(blank=_("Top level (a site)"))
    if form.validate_on_submit():
        data = service.LocationData(
            name=form.name.data or "",
            kind=form.kind.data or "site",
            parent_id=form.parent_id.data,
            active=bool(form.active.data),
        )
        done = save_form(
            form,
            lambda: service.save_location(current_user, location, data),
            success=lambda saved: _("%(name)s saved.", name=saved.path),
            redirect_to=url_for("products.list_locations"),
        )
        if done is not None:
            return done
    return render_template("products/location_form.html", form=form, location=location)
