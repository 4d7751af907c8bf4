"""Views: product pictures (upload, order, remove, serve) and asset QR codes."""

from __future__ import annotations

from pathlib import PurePath

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectField

from cube import storage
from cube.edge import act
from cube.extensions import db
from cube.forms import CubeForm, options
from cube.models import Asset, Product, ProductImage
from cube.permissions import requires
from cube.products import images
from cube.products.blueprint import bp
from cube.products.qr import qr_svg
from cube.urls import external_url

IMAGE_CACHE_SECONDS = 86400


class ImageUploadForm(CubeForm):
    image = FileField(_l("Image"), validators=[FileRequired(_l("Choose an image to upload."))])


class ImageMoveForm(CubeForm):
    direction = SelectField(_l("Direction"), choices=options([("up", _l("Earlier")), ("down", _l("Later"))]))


def _back_to(product_id: int) -> str:
    """The product page the image views return to."""
    return url_for("products.show_product", product_id=product_id)


def _flash_form_errors(form: CubeForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "danger")


@bp.route("/products/<int:product_id>/images", methods=["POST"])
@requires("catalog.manage")
def upload_image(product_id: int) -> Response:
    """Add an uploaded picture to a product."""
    product = db.get_or_404(Product, product_id)
    form = ImageUploadForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(_back_to(product.id))
    upload: FileStorage = form.image.data
    return act(
        lambda: images.add_image(current_user, product, upload.filename or "", upload.read()),
        success=lambda image: _("Added %(name)s.", name=image.original_name),
        redirect_to=_back_to(product.id),
    )


@bp.route("/products/images/<int:image_id>/delete", methods=["POST"])
@requires("catalog.manage")
def delete_image(image_id: int) -> Response:
    """Remove a product picture."""
    image = db.get_or_404(ProductImage, image_id)
    back = _back_to(image.product_id)
    if not CubeForm().validate_on_submit():
        return redirect(back)
    return act(lambda: images.delete_image(current_user, image), success=_("Image removed."), redirect_to=back)


@bp.route("/products/images/<int:image_id>/move", methods=["POST"])
@requires("catalog.manage")
def move_image(image_id: int) -> Response:
    """Move a product picture one place earlier or later."""
    image = db.get_or_404(ProductImage, image_id)
    form = ImageMoveForm()
    back = _back_to(image.product_id)
    direction = form.direction.data or ""
    if not form.validate_on_submit():
        _flash_form_errors(form)
    elif not images.can_move(image, direction):
        flash(_("The image is already at that end."), "info")
    else:
        return act(
            lambda: images.move_image(current_user, image, direction), success=_("Image moved."), redirect_to=back
        )
    return redirect(back)


@bp.route("/products/images/<int:image_id>/<any(full, thumb):variant>")
@requires("catalog.view")
def image_file(image_id: int, variant: str) -> Response:
    """Serve a product picture or its thumbnail, inline and never sniffed."""
    image = db.get_or_404(ProductImage, image_id)
    original = PurePath(image.original_name)
    if variant == "full":
        name, content_type, download_name = image.stored_name, image.content_type, original.name
    else:
        name = image.thumbnail_name
        extension = name.rsplit(".", 1)[-1]
        content_type, download_name = images.CONTENT_TYPES[extension], f"{original.stem}-thumbnail.{extension}"
    try:
        path = storage.path_of(name)
    except storage.BadStoredName:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=content_type, download_name=download_name, max_age=IMAGE_CACHE_SECONDS, conditional=True
    )
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/assets/<int:asset_id>/qr.svg")
@requires("catalog.view")
def asset_qr(asset_id: int) -> Response:
    """A QR code (SVG) that opens the asset's page."""
    asset = db.get_or_404(Asset, asset_id)
    svg = qr_svg(external_url("products.show_asset", asset_id=asset.id))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.set("Content-Disposition", "inline", filename=f"asset-{asset.id}-qr.svg")
    return response
