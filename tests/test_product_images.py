"""Product pictures: upload checked by content, thumbnails, order, removal, serving and access."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_login import login_user
from PIL import Image
from sqlalchemy import select
from werkzeug.http import parse_options_header

from cube import storage
from cube.actors import SYSTEM
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import AuditEvent, Product, ProductImage, User
from cube.products import images
from tests.files import noise_png, picture, png_declaring
from tests.support import count, flashes, post, redirect_path, stored_files

NOT_AN_IMAGE = "This file is not a JPEG, PNG, GIF or WebP image."
TOO_MANY_PIXELS = "This image has too many pixels to be processed safely."
STORED_NAME = re.compile(r"images/[0-9a-f]{32}\.(jpg|png|gif|webp)")


# --- helpers ---------------------------------------------------------------------------------------------------------


def upload(client: FlaskClient, product_id: int, data: bytes, filename: str = "photo.png", **kwargs: object):
    """Post an image file with a valid CSRF token."""
    return post(client, f"/products/{product_id}/images", {"image": (BytesIO(data), filename)}, **kwargs)


@pytest.fixture
def product(app: Flask) -> Product:
    item = Product(sku="PMP-100", sku_key="pmp-100", name="Centrifugal pump")
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def add(product: Product) -> Callable[..., ProductImage]:
    """Factory: an image added through the service and committed."""

    def factory(data: bytes | None = None, filename: str = "photo.png") -> ProductImage:
        image = images.add_image(SYSTEM, product, filename, data if data is not None else picture())
        db.session.commit()
        return image

    return factory


def order_of(product: Product) -> list[int]:
    db.session.expire_all()
    return [image.id for image in db.session.get(Product, product.id).images]


# --- uploading --------------------------------------------------------------------------------------------------------


def test_png_upload_stores_original_and_thumbnail(app, admin_client, product):
    data = picture("PNG", (1000, 500), "RGBA")
    before = stored_files(app)

    response = upload(admin_client, product.id, data, "Pump front.png")

    assert response.status_code == 302
    assert redirect_path(response) == f"/products/{product.id}"
    assert ("success", "Added Pump front.png.") in flashes(admin_client)
    image = db.session.scalars(select(ProductImage)).one()
    assert (image.product_id, image.original_name, image.content_type) == (product.id, "Pump front.png", "image/png")
    assert (image.width, image.height, image.size_bytes, image.position) == (1000, 500, len(data), 0)
    assert STORED_NAME.fullmatch(image.stored_name)
    assert STORED_NAME.fullmatch(image.thumbnail_name)
    root = Path(app.config["UPLOAD_ROOT"])
    assert stored_files(app) - before == {root / image.stored_name, root / image.thumbnail_name}
    assert (root / image.stored_name).read_bytes() == data
    with Image.open(root / image.thumbnail_name) as thumb:
        assert thumb.format == "PNG"  # transparency kept
        assert thumb.size == (320, 160)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.image_added")).one()
    assert (event.target_type, event.target_id) == ("Product", product.id)


def test_jpeg_upload_gets_a_metadata_free_jpeg_thumbnail(app, admin_client, product):
    exif = Image.Exif()
    exif[0x010E] = "secret-location-note"  # ImageDescription
    data = picture("JPEG", (600, 900), exif=exif.tobytes())

    assert upload(admin_client, product.id, data, "site.jpeg").status_code == 302

    image = db.session.scalars(select(ProductImage)).one()
    assert (image.content_type, image.width, image.height) == ("image/jpeg", 600, 900)
    thumb_bytes = (Path(app.config["UPLOAD_ROOT"]) / image.thumbnail_name).read_bytes()
    assert b"secret-location-note" in data
    assert b"secret-location-note" not in thumb_bytes
    with Image.open(BytesIO(thumb_bytes)) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) <= 320
        assert thumb.size == (213, 320)


@pytest.mark.parametrize(("fmt", "content_type"), [("GIF", "image/gif"), ("WEBP", "image/webp")])
def test_gif_and_webp_are_accepted(add, fmt, content_type):
    image = add(picture(fmt, (400, 300)), f"anim.{fmt.lower()}")
    assert image.content_type == content_type
    assert (image.width, image.height) == (400, 300)


def test_positions_follow_upload_order(add):
    assert [add().position for _ in range(3)] == [0, 1, 2]


# --- refusing bad files -------------------------------------------------------------------------------------------


def _truncated_png() -> bytes:
    data = noise_png((200, 200))
    return data[: len(data) // 2]


BAD_FILES = {
    "html renamed .png": (b"<!doctype html><html><script>alert(1)</script></html>", "page.png", NOT_AN_IMAGE),
    "svg with script": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        NOT_AN_IMAGE,
    ),
    "svg renamed .png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.png", NOT_AN_IMAGE),
    "text file": (b"just some notes\n" * 20, "notes.txt", NOT_AN_IMAGE),
    "truncated png": (_truncated_png(), "cut.png", NOT_AN_IMAGE),
    "bmp (not allowed)": (picture("BMP", (20, 20)), "old.bmp", NOT_AN_IMAGE),
    "empty file": (b"", "empty.png", "The file is empty."),
    "decompression bomb": (png_declaring(100_000, 100_000), "bomb.png", TOO_MANY_PIXELS),
}


@pytest.mark.parametrize(("data", "filename", "message"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_bad_files_are_refused_and_leave_nothing(app, admin_client, product, data, filename, message):
    before = stored_files(app)

    response = upload(admin_client, product.id, data, filename)

    assert response.status_code == 302
    assert redirect_path(response) == f"/products/{product.id}"
    assert ("danger", message) in flashes(admin_client)
    assert count(ProductImage) == 0
    assert stored_files(app) == before


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("size", [(40, 40), (100, 100)], ids=["between 1x and 2x the limit", "over 2x the limit"])
def test_pixel_limit_follows_pillow_setting(app, product, monkeypatch, size):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    before = stored_files(app)
    with pytest.raises(ValidationFailed, match="too many pixels"):
        images.add_image(SYSTEM, product, "big.png", picture("PNG", size))
    db.session.rollback()
    assert count(ProductImage) == 0
    assert stored_files(app) == before


def test_file_over_image_limit_gets_a_clear_message(app, admin_client, product, monkeypatch):
    monkeypatch.setitem(app.config, "IMAGE_MAX_BYTES", 1024 * 1024)
    data = noise_png((800, 700))
    assert 1024 * 1024 < len(data) < app.config["MAX_CONTENT_LENGTH"]
    before = stored_files(app)

    response = upload(admin_client, product.id, data, "huge.png")

    assert response.status_code == 302
    assert ("danger", "Images can be at most 1 MB.") in flashes(admin_client)
    assert count(ProductImage) == 0
    assert stored_files(app) == before


def test_body_over_max_content_length_is_413(app, admin_client, product):
    before = stored_files(app)
    response = upload(admin_client, product.id, b"\0" * (50 * 1024 * 1024), "fifty.png")
    assert response.status_code == 413
    assert count(ProductImage) == 0
    assert stored_files(app) == before


def test_missing_file_is_reported(admin_client, product):
    response = post(admin_client, f"/products/{product.id}/images", {})
    assert response.status_code == 302
    assert ("danger", "Choose an image to upload.") in flashes(admin_client)
    assert count(ProductImage) == 0


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("/abs/path/x.png", "x.png"),
        ("..", "image"),
        ("bad\x00na\u202eme.png", "badname.png"),
        ("a" * 300 + ".png", "a" * 255),
    ],
)
def test_uploaded_name_is_metadata_only(app, admin_client, product, filename, kept):
    response = upload(admin_client, product.id, picture(), filename)

    assert response.status_code == 302
    image = db.session.scalars(select(ProductImage)).one()
    assert image.original_name == kept
    assert STORED_NAME.fullmatch(image.stored_name)
    assert kept not in image.stored_name.split("/", 1)[1]
    root = Path(app.config["UPLOAD_ROOT"])
    assert (root / image.stored_name).is_file()
    assert not (root.parent / "etc").exists()
    assert not any(path.name == kept for path in stored_files(app))


# --- order and removal -------------------------------------------------------------------------------------------


def test_move_up_and_down_changes_order(admin_client, product, add):
    first, second, third = add(), add(), add()

    response = post(admin_client, f"/products/images/{third.id}/move", {"direction": "up"})
    assert response.status_code == 302
    assert redirect_path(response) == f"/products/{product.id}"
    assert order_of(product) == [first.id, third.id, second.id]

    post(admin_client, f"/products/images/{first.id}/move", {"direction": "down"})
    assert order_of(product) == [third.id, first.id, second.id]

    post(admin_client, f"/products/images/{third.id}/move", {"direction": "up"})  # already first
    assert order_of(product) == [third.id, first.id, second.id]
    post(admin_client, f"/products/images/{second.id}/move", {"direction": "down"})  # already last
    assert order_of(product) == [third.id, first.id, second.id]
    assert ("info", "The image is already at that end.") in flashes(admin_client)

    moves = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.image_moved")).all()
    assert len(moves) == 2


def test_move_needs_a_known_direction(admin_client, product, add):
    first, second = add(), add()
    response = post(admin_client, f"/products/images/{second.id}/move", {"direction": "sideways"})
    assert response.status_code == 302
    assert ("danger", "Not a valid choice.") in flashes(admin_client)
    assert order_of(product) == [first.id, second.id]


def test_move_mends_tied_positions(product, add):
    first, second = add(), add()
    second.position = first.position
    db.session.commit()
    assert images.move_image(SYSTEM, second, "up") is True
    db.session.commit()
    assert order_of(product) == [second.id, first.id]


def test_delete_removes_row_and_files(app, admin_client, product, add):
    keep, gone = add(), add()
    root = Path(app.config["UPLOAD_ROOT"])
    gone_files = [root / gone.stored_name, root / gone.thumbnail_name]
    gone_id = gone.id

    response = post(admin_client, f"/products/images/{gone_id}/delete")

    assert response.status_code == 302
    assert redirect_path(response) == f"/products/{product.id}"
    assert order_of(product) == [keep.id]
    assert not any(path.exists() for path in gone_files)
    assert (root / keep.stored_name).is_file()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.image_removed")).one()
    assert event.details["image_id"] == gone_id


def test_delete_rolled_back_keeps_files(app, add):
    image = add()
    path = Path(app.config["UPLOAD_ROOT"]) / image.stored_name
    images.delete_image(SYSTEM, image)
    assert path.is_file()  # removed only when the deletion commits
    db.session.rollback()
    assert path.is_file()
    assert count(ProductImage) == 1


# --- serving --------------------------------------------------------------------------------------------------------


def test_serving_both_variants(client_as, add):
    data = picture("PNG", (900, 300))
    image = add(data, "front view.png")
    technician = client_as("technician")

    full = technician.get(f"/products/images/{image.id}/full")
    assert full.status_code == 200
    assert full.mimetype == "image/png"
    assert full.data == data
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert full.headers["Content-Disposition"] == 'inline; filename="front view.png"'

    thumb = technician.get(f"/products/images/{image.id}/thumb")
    assert thumb.status_code == 200
    assert thumb.mimetype == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert thumb.headers["Content-Disposition"] == 'inline; filename="front view-thumbnail.jpg"'
    with Image.open(BytesIO(thumb.data)) as preview:
        assert preview.size == (320, 107)


def test_content_type_comes_from_the_content_not_the_name(admin_client, add):
    image = add(picture("JPEG"), "looks-like.png")
    response = admin_client.get(f"/products/images/{image.id}/full")
    assert response.mimetype == "image/jpeg"
    assert parse_options_header(response.headers["Content-Disposition"]) == ("inline", {"filename": "looks-like.png"})


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("../../etc/passwd.png", "passwd.png"),
        ("bad\x00na\u202eme\r\n.png", "badname.png"),
        ("  spaced .png ", "spaced .png"),
        ("...", "image"),
        ("", "image"),
    ],
)
def test_clean_filename_keeps_only_a_printable_base_name(uploaded, kept):
    assert images.clean_filename(uploaded) == kept


def test_odd_original_names_are_quoted_safely(admin_client, add):
    image = add(picture(), 'quo"te; ünïcode.png')
    disposition = admin_client.get(f"/products/images/{image.id}/full").headers["Content-Disposition"]
    kind, params = parse_options_header(disposition)
    assert kind == "inline"
    assert params["filename"] == 'quo"te; ünïcode.png'  # werkzeug reads filename* back
    assert "\n" not in disposition
    assert "filename*=UTF-8''quo%22te%3B%20%C3%BCn%C3%AFcode.png" in disposition


def test_images_are_cached_privately(admin_client, add):
    image = add()
    response = admin_client.get(f"/products/images/{image.id}/thumb")
    assert response.headers["Cache-Control"] in {"private, max-age=86400", "max-age=86400, private"}


def test_unknown_image_or_variant_is_404(admin_client, add):
    image = add()
    assert admin_client.get("/products/images/999999/full").status_code == 404
    assert admin_client.get(f"/products/images/{image.id}/original").status_code == 404


def test_image_whose_file_is_missing_is_404(app, admin_client, add):
    image = add()
    (Path(app.config["UPLOAD_ROOT"]) / image.stored_name).unlink()
    assert admin_client.get(f"/products/images/{image.id}/full").status_code == 404


# --- access -----------------------------------------------------------------------------------------------------------


def test_technician_views_but_cannot_change(app, client_as, product, add):
    first, second = add(), add()
    technician = client_as("technician")
    before = stored_files(app)

    assert technician.get(f"/products/images/{first.id}/thumb").status_code == 200
    assert upload(technician, product.id, picture()).status_code == 403
    assert post(technician, f"/products/images/{first.id}/delete").status_code == 403
    assert post(technician, f"/products/images/{second.id}/move", {"direction": "up"}).status_code == 403

    assert order_of(product) == [first.id, second.id]
    assert stored_files(app) == before


def test_requester_cannot_view_images(client_as, add):
    image = add()
    requester = client_as("requester")
    assert requester.get(f"/products/images/{image.id}/full").status_code == 403
    assert requester.get(f"/products/images/{image.id}/thumb").status_code == 403


def test_anonymous_is_sent_to_sign_in(app, client, product, add):
    image = add()
    before = stored_files(app)
    for response in (
        client.get(f"/products/images/{image.id}/thumb"),
        upload(client, product.id, picture()),
        post(client, f"/products/images/{image.id}/delete"),
        post(client, f"/products/images/{image.id}/move", {"direction": "down"}),
    ):
        assert response.status_code == 302
        assert redirect_path(response) == "/auth/login"
    assert count(ProductImage) == 1
    assert stored_files(app) == before


def test_missing_csrf_token_is_400_and_changes_nothing(app, admin_client, product, add):
    first, second = add(), add()
    before = stored_files(app)

    sent = {"image": (BytesIO(picture()), "photo.png")}
    assert admin_client.post(f"/products/{product.id}/images", data=sent).status_code == 400
    assert admin_client.post(f"/products/images/{first.id}/delete").status_code == 400
    assert admin_client.post(f"/products/images/{second.id}/move", data={"direction": "up"}).status_code == 400

    assert order_of(product) == [first.id, second.id]
    assert stored_files(app) == before


# --- storage --------------------------------------------------------------------------------------------------------


def test_saved_files_follow_the_transaction(app):
    kept = storage.save("images", b"kept", "png")
    db.session.commit()
    dropped = storage.save("images", b"dropped", "png")
    db.session.rollback()
    assert storage.read(kept) == b"kept"
    assert not storage.path_of(dropped).exists()

    closed = storage.save("images", b"closed", "png")
    db.session.close()  # a request that ends without committing
    assert not storage.path_of(closed).exists()

    storage.delete(kept)
    db.session.commit()
    assert not storage.path_of(kept).exists()


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "images/../../etc/passwd",
        "/etc/passwd",
        "images/" + "a" * 32 + ".png/../x",
        "images/" + "A" * 32 + ".png",
        "images/short.png",
        "Images/" + "a" * 32 + ".png",
        "images\\" + "a" * 32 + ".png",
        "",
    ],
)
def test_storage_refuses_names_it_did_not_make(app, name):
    with pytest.raises(storage.BadStoredName):
        storage.path_of(name)
    with pytest.raises(storage.BadStoredName):
        storage.read(name)


def test_storage_refuses_bad_kinds_and_extensions(app):
    with pytest.raises(storage.BadStoredName):
        storage.save("../images", b"x", "png")
    with pytest.raises(storage.BadStoredName):
        storage.save("images", b"x", "png/../../x")


# --- the partial ----------------------------------------------------------------------------------------------------


def _render_partial(app: Flask, user: User, product: Product) -> str:
    with app.test_request_context():
        login_user(user)
        return render_template("products/_images.html", product=db.session.get(Product, product.id))


def test_partial_for_catalog_managers(app, make_user, product, add):
    image = add(filename="front.png")
    html = _render_partial(app, make_user("manager"), product)

    assert f'src="/products/images/{image.id}/thumb?v=' in html
    assert f'href="/products/images/{image.id}/full?v=' in html
    assert 'alt="Centrifugal pump: front.png"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in html
    assert '<label for="product-image-file"' in html
    assert 'id="product-image-file"' in html
    assert f'action="/products/images/{image.id}/move"' in html
    assert 'data-confirm="Remove this image?"' in html
    assert html.count('name="csrf_token"') == 3
    assert "<script" not in html
    assert "style=" not in html


def test_partial_for_viewers_has_no_forms(app, make_user, product, add):
    add(filename="<img src=x onerror=alert(1)>.png")
    html = _render_partial(app, make_user("technician"), product)
    assert "<form" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in html
    assert "<img src=x" not in html


def test_deleted_file_survives_a_released_savepoint_and_rollback(app):
    from cube import storage

    with app.test_request_context():
        name = storage.save("images", b"png-bytes", "png")
        db.session.commit()
        storage.delete(name)
        with db.session.begin_nested():
            pass
        db.session.rollback()
        assert storage.path_of(name).exists()
