"""Factories for catalog records, used by the catalog, asset and inventory tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import Asset, Company, Location, Product
from cube.products import assets, catalog, companies, inventory


def make_company(name: str = "Acme Ltd", **fields: Any) -> Company:
    company = companies.save_company(SYSTEM, None, companies.CompanyData(name=name, **fields))
    db.session.commit()
    return company


def make_product(sku: str = "P-100", name: str = "Pump", **fields: Any) -> Product:
    product = catalog.create_product(SYSTEM, catalog.ProductData(sku=sku, name=name, **fields))
    db.session.commit()
    return product


def make_location(name: str = "Stores", kind: str = "site", parent: Location | None = None) -> Location:
    data = assets.LocationData(name=name, kind=kind, parent_id=parent.id if parent else None)
    location = assets.save_location(SYSTEM, None, data)
    db.session.commit()
    return location


def make_asset(product: Product, serial: str = "SN-1", **fields: Any) -> Asset:
    asset = assets.create_asset(SYSTEM, assets.AssetData(product_id=product.id, serial_number=serial, **fields))
    db.session.commit()
    return asset


def stock(product: Product, location: Location, quantity: str | Decimal) -> None:
    inventory.receive(SYSTEM, inventory.Movement(product.id, location.id, quantity))
    db.session.commit()
