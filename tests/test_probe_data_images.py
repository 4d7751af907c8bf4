"""Issue 8, finding 7: an image's dimensions are checked from its header before anything is decoded,
product photos may have at most 40 megapixels, and JPEG thumbnails are decoded at a reduced scale."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image, JpegImagePlugin, PngImagePlugin
from sqlalchemy import select

from cube.extensions import db
from cube.models import AuditEvent, Product, ProductImage
from cube.products import images
from tests.files import picture
from tests.support import count, flashes, post, stored_files

BOMB_SIDE = 9_400  # 88 megapixels: under Pillow's own limit (89 MP), far over what a product photo needs


@pytest.fixture
def product(app: Flask) -> Product:
    item = Product(sku="CAM-1", sku_key="cam-1", name="Camera")
    db.session.add(item)
    db.session.commit()
    return item


def test_a_9400_by_9400_png_is_refused_before_decoding_and_nothing_is_stored(app, admin_client, product, monkeypatch):
    bomb = picture("PNG", (BOMB_SIDE, BOMB_SIDE), "1")
    assert len(bomb) < app.config["IMAGE_MAX_BYTES"]
    decoded: list[tuple[int, int]] = []
    real_load = PngImagePlugin.PngImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", spy_load)
    files, audit_rows = stored_files(app), count(AuditEvent)

    response = post(admin_client, f"/products/{product.id}/images", {"image": (BytesIO(bomb), "bomb.png")})

    assert response.status_code == 302
    message = "This image has too many pixels (9,400 x 9,400); product photos can have at most 40 megapixels."
    assert ("danger", message) in flashes(admin_client)
    assert decoded == []  # refused from the header alone
    assert count(ProductImage) == 0
    assert count(AuditEvent) == audit_rows
    assert stored_files(app) == files


def test_the_pixel_limit_is_40_megapixels(app, product):
    images.check_image(picture("PNG", (8_000, 5_000), "1"))  # exactly 40 MP: allowed
    with pytest.raises(Exception, match="too many pixels"):
        images.check_image(picture("PNG", (8_001, 5_000), "1"))


def test_a_large_allowed_jpeg_gets_a_thumbnail_from_a_reduced_decode(app, admin_client, product, monkeypatch):
    data = picture("JPEG", (7_000, 5_000), "L", 128, quality=70)  # 35 megapixels
    decoded: list[tuple[int, int]] = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy_load)

    response = post(admin_client, f"/products/{product.id}/images", {"image": (BytesIO(data), "big.jpg")})

    assert response.status_code == 302
    stored = db.session.scalars(select(ProductImage)).all()
    assert len(stored) == 1
    assert (stored[0].width, stored[0].height) == (7_000, 5_000)
    root = Path(app.config["UPLOAD_ROOT"])
    with Image.open(root / stored[0].thumbnail_name) as thumbnail:
        assert max(thumbnail.size) == 320
    assert decoded  # the thumbnail was decoded ...
    assert all(width * height <= 7_000 * 5_000 // 16 for width, height in decoded)  # ... at 1/4 scale or less
