"""The catalog in a real browser: a manager builds it up, a technician can look but not touch."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from cube.extensions import db
from cube.models import Asset, Product, ProductImage
from cube.products import inventory
from tests.browser.conftest import pick
from tests.catalog_factories import make_location
from tests.files import png


def test_manager_builds_the_catalog_and_a_technician_only_reads_it(
    app, live_server, page, new_context, make_account, submit_login
):
    with app.app_context():
        stores = make_location("Main stores").id
        db.session.remove()
    manager = make_account("manager", name="Mia Manager")
    submit_login(page, manager.email, manager.password)

    # A company.
    page.goto("/companies/new")
    page.get_by_label("Name", exact=True).fill("Acme Pumps")
    page.get_by_label("Manufacturer").check()
    page.get_by_label("City").fill("Leeds")
    page.get_by_role("button", name="Save company").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Pumps")

    # A product made by it, with an image.
    page.goto("/products/new")
    page.get_by_label("SKU").fill("PMP-100")
    page.get_by_label("Name", exact=True).fill("Circulation pump")
    pick(page, "Manufacturer", "acme", "Acme Pumps")
    page.get_by_label("Unit cost").fill("120.50")
    page.get_by_label("Specifications").fill("Flow: 3 m3/h\nVoltage: 230 V")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PMP-100")
    expect(page.get_by_text("Flow")).to_be_visible()
    page.get_by_label("Add an image").set_input_files(
        {"name": "pump.png", "mimeType": "image/png", "buffer": png(640, 480)}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("img", name=re.compile("pump.png"))).to_be_visible()

    # Stock arrives.
    page.get_by_label("Receive").check()
    page.get_by_label("Location", exact=True).select_option(label="Main stores")
    page.get_by_label("Quantity").fill("8")
    page.get_by_label("Reference").fill("DN-5521")
    page.get_by_role("button", name="Record movement").click()
    expect(page.get_by_test_id("stock-total")).to_have_text("8 each")

    # An asset of the product.
    page.get_by_role("link", name="Add asset").first.click()  # the product's own button (the empty list offers one too)
    expect(page.get_by_label("Product SKU")).to_have_value("PMP-100")
    page.get_by_label("Serial number").fill("ACME-0001")
    pick(page, "Owner", "pumps", "Acme Pumps")
    page.get_by_role("button", name="Save asset").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ACME-0001")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()

    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == "PMP-100"))
        assert product.manufacturer.name == "Acme Pumps"
        assert product.unit_cost == Decimal("120.50")
        assert inventory.on_hand(product.id, stores) == Decimal("8")
        assert db.session.scalar(select(ProductImage).where(ProductImage.product_id == product.id)) is not None
        asset = db.session.scalar(select(Asset).where(Asset.serial_number == "ACME-0001"))
        asset_id, product_id = asset.id, product.id
        db.session.remove()

    # A technician sees all of it but has no way to change it.
    technician = make_account("technician", name="Theo Tech")
    tech_page = new_context().new_page()
    submit_login(tech_page, technician.email, technician.password)
    tech_page.goto(f"/products/{product_id}")
    expect(tech_page.get_by_role("heading", level=1)).to_contain_text("PMP-100")
    expect(tech_page.get_by_role("img", name=re.compile("pump.png"))).to_be_visible()
    expect(tech_page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(tech_page.get_by_role("button", name="Upload")).to_have_count(0)
    tech_page.goto(f"/assets/{asset_id}")
    expect(tech_page.get_by_text("ACME-0001").first).to_be_visible()
    expect(tech_page.get_by_role("link", name="Edit")).to_have_count(0)
    response = tech_page.goto(f"/products/{product_id}/edit")
    assert response is not None
    assert response.status == 403
    expect(tech_page.get_by_role("heading", name="Forbidden")).to_be_visible()
