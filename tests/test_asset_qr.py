"""Asset QR codes: an SVG that encodes the asset page's absolute URL."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import BytesIO
from urllib.parse import urlsplit

import pytest
import segno
from flask import Flask

from cube.extensions import db
from cube.models import Asset, Product


@pytest.fixture
def asset(app: Flask) -> Asset:
    product = Product(sku="CMP-7", sku_key="cmp-7", name="Compressor")
    db.session.add(product)
    db.session.flush()
    unit = Asset(product_id=product.id, serial_number="SN-0042")
    db.session.add(unit)
    db.session.commit()
    return unit


def expected_svg(url: str) -> bytes:
    """segno's own rendering of ``url`` with the agreed settings."""
    buffer = BytesIO()
    segno.make_qr(url, error="m", boost_error=False).save(buffer, kind="svg", scale=4, border=2)
    return buffer.getvalue()


def test_qr_code_encodes_the_asset_page(app, client_as, asset):
    url = f"http://localhost/assets/{asset.id}"
    technician = client_as("technician")
    page = technician.get(urlsplit(url).path)
    assert page.status_code == 200  # the encoded address is the asset's page...
    assert "SN-0042" in page.get_data(as_text=True)  # ...and it shows this asset

    response = technician.get(f"/assets/{asset.id}/qr.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    root = ET.fromstring(response.data)  # noqa: S314 (our own output, not untrusted input)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"script" not in response.data.lower()
    assert response.data == expected_svg(url)
    assert response.data != expected_svg(f"http://localhost/assets/{asset.id + 1}")


def test_unknown_asset_is_404(admin_client, asset):
    assert admin_client.get(f"/assets/{asset.id + 1000}/qr.svg").status_code == 404


def test_requester_may_not_see_qr_codes(client_as, asset):
    assert client_as("requester").get(f"/assets/{asset.id}/qr.svg").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, asset):
    response = client.get(f"/assets/{asset.id}/qr.svg")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
