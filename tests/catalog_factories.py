"""Factories for catalog records (catalog, asset and inventory tests), and the actor tests' helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import Asset, Company, Location, Product, Role, RolePermission, User
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


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal before and after means nothing was written."""
    state = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        state[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*order))]
    return state


def person_with(make_user: Callable[..., User], *permissions: str) -> User:
    """A signed-up person whose custom role holds exactly ``permissions``."""
    role = Role(name=f"custom-{uuid.uuid4().hex[:12]}", description="Only " + ", ".join(sorted(permissions)))
    role.grants = [RolePermission(permission=p) for p in permissions]
    db.session.add(role)
    db.session.commit()
    return make_user(role.name)
