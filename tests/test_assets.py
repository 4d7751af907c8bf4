"""Locations and assets."""

from __future__ import annotations

from sqlalchemy import select

from cube.extensions import db
from cube.models import Asset, Location
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.support import count, post


def asset_form(**overrides: str) -> dict[str, str]:
    data = {"product_sku": "CH-1", "serial_number": "SN-100", "status": "in_service"}
    data.update(overrides)
    return data


def test_location_tree(client_as):
    manager = client_as("manager")
    assert post(manager, "/locations/new", {"name": "Leeds", "kind": "site", "active": "y"}).status_code == 302
    site = db.session.scalar(select(Location).where(Location.name == "Leeds"))
    post(manager, "/locations/new", {"name": "Block A", "kind": "building", "parent_id": str(site.id), "active": "y"})
    block = db.session.scalar(select(Location).where(Location.name == "Block A"))
    post(manager, "/locations/new", {"name": "Roof", "kind": "area", "parent_id": str(block.id), "active": "y"})
    roof = db.session.scalar(select(Location).where(Location.name == "Roof"))
    assert roof.path == "Leeds > Block A > Roof"
    page = manager.get("/locations").get_data(as_text=True)
    assert page.index("Leeds") < page.index("Block A") < page.index("Roof")
    cycle = post(manager, f"/locations/{site.id}/edit", {"name": "Leeds", "kind": "site", "parent_id": str(roof.id)})
    assert "inside itself" in cycle.get_data(as_text=True)
    dup = post(manager, "/locations/new", {"name": "Roof", "kind": "area", "parent_id": str(block.id)})
    assert "already a location" in dup.get_data(as_text=True)
    assert count(Location) == 3


def test_manager_registers_an_asset(client_as):
    make_product("CH-1", "Chiller")
    owner = make_company("Owner Co", is_customer=True)
    plant = make_location("Plant room")
    manager = client_as("manager")
    form = asset_form(
        location_id=str(plant.id), company_id=str(owner.id), install_date="2024-01-10", warranty_end="2029-01-10"
    )
    response = post(manager, "/assets/new", form)
    assert response.status_code == 302
    asset = db.session.scalar(select(Asset))
    assert asset.product.sku == "CH-1"
    assert asset.location.name == "Plant room"
    page = manager.get(response.location).get_data(as_text=True)
    assert "SN-100" in page
    assert f"/assets/{asset.id}/qr.svg" in page


def test_serial_is_unique_per_product(client_as):
    first = make_product("CH-1", "Chiller")
    second = make_product("CH-2", "Other chiller")
    make_asset(first, "SN-100")
    manager = client_as("manager")
    dup = post(manager, "/assets/new", asset_form())
    assert dup.status_code == 200
    assert "already has an asset with this serial" in dup.get_data(as_text=True)
    assert post(manager, "/assets/new", asset_form(product_sku="CH-2")).status_code == 302  # same serial, other product
    assert second.id
    assert count(Asset) == 2


def test_asset_bad_input(client_as):
    make_product("CH-1", "Chiller")
    manager = client_as("manager")
    cases = [
        asset_form(product_sku="NOPE"),
        asset_form(serial_number=""),
        asset_form(status="exploded"),
        asset_form(install_date="2024-13-45"),
        asset_form(install_date="2024-05-01", warranty_end="2023-01-01"),
        asset_form(location_id="424242"),
    ]
    for form in cases:
        assert post(manager, "/assets/new", form).status_code == 200, form
    assert count(Asset) == 0


def test_stale_asset_edit_gets_409(client_as):
    asset = make_asset(make_product("CH-1", "Chiller"), "SN-9")
    version = str(asset.version)
    first, second = client_as("manager"), client_as("manager")
    assert (
        post(
            first, f"/assets/{asset.id}/edit", asset_form(serial_number="SN-9", status="down", version=version)
        ).status_code
        == 302
    )
    stale = post(second, f"/assets/{asset.id}/edit", asset_form(serial_number="SN-9", name="Mine", version=version))
    assert stale.status_code == 409
    assert "down" in stale.get_data(as_text=True)
    db.session.refresh(asset)
    assert asset.status == "down"
    assert asset.name == ""


def test_asset_list_filters(client_as):
    chiller = make_product("CH-1", "Chiller")
    site = make_location("Site")
    room = make_location("Room", "area", site)
    make_asset(chiller, "SN-A", location_id=room.id, status="down")
    make_asset(chiller, "SN-B")
    tech = client_as("technician")
    assert "SN-A" in tech.get(f"/assets?location={site.id}").get_data(as_text=True)  # includes sub-locations
    assert "SN-B" not in tech.get(f"/assets?location={site.id}").get_data(as_text=True)
    assert "SN-B" not in tech.get("/assets?status=down").get_data(as_text=True)
    assert "SN-A" in tech.get("/assets?q=sn-a").get_data(as_text=True)
    for bad in ("status=<x>", "location=abc", "company=1e5", "product=zz"):
        assert tech.get(f"/assets?{bad}").status_code == 200
    assert tech.get("/assets/new").status_code == 403
