"""Rows for the import templates and for exporting companies, products and assets (importable again)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal

from cube.actors import Actor
from cube.extensions import db
from cube.products import assets as asset_service
from cube.products import catalog as catalog_service
from cube.products import companies as company_service
from cube.products.imports.columns import COLUMNS, EXAMPLES, SPEC_SEPARATOR

EXPORT_BATCH = 500
# Money columns of the product export: shown only to people who see costs (as on work orders).
PRICE_COLUMNS = ("unit_cost", "unit_price")
SEES_PRICES = "workorder.view_costs"


def sees_prices(viewer: Actor) -> bool:
    """May ``viewer`` see products' unit cost and price (the permission that shows work order costs)."""
    return viewer.has_permission(SEES_PRICES)


def template_rows(kind: str) -> list[list[str]]:
    """The header and one example row for a kind of import file."""
    return [list(COLUMNS[kind]), next(csv.reader([EXAMPLES[kind]]))]


def company_rows(filters: company_service.CompanyFilters) -> Iterator[list[str]]:
    """The header and one row per company matching ``filters``, read in batches."""
    yield list(COLUMNS["companies"])
    query = company_service.companies_query(filters).execution_options(yield_per=EXPORT_BATCH)
    for company in db.session.scalars(query):
        yield [
            company.name,
            _yes(company.is_customer),
            _yes(company.is_vendor),
            _yes(company.is_manufacturer),
            company.street,
            company.city,
            company.postal_code,
            company.country,
            company.phone,
            company.email,
            company.website,
            company.notes,
            _yes(company.active),
        ]


def product_rows(filters: catalog_service.ProductFilters, viewer: Actor) -> Iterator[list[str]]:
    """The header and one row per product matching ``filters``, in batches (prices only if ``viewer`` sees them)."""
    header = [name for name in COLUMNS["products"] if name not in PRICE_COLUMNS or sees_prices(viewer)]
    yield header
    paths = {category.id: category.path for category, _ in catalog_service.category_tree()}
    query = catalog_service.products_query(filters).execution_options(yield_per=EXPORT_BATCH)
    for product in db.session.scalars(query):
        row = {
            "sku": product.sku,
            "name": product.name,
            "category": paths.get(product.category_id, "") if product.category_id else "",
            "manufacturer": product.manufacturer.name if product.manufacturer else "",
            "unit": product.unit,
            "unit_cost": f"{Decimal(product.unit_cost):.2f}",
            "unit_price": f"{Decimal(product.unit_price):.2f}",
            "min_stock": _quantity(product.min_stock),
            "spare_part": _yes(product.is_spare_part),
            "active": _yes(product.active),
            "description": product.description,
            "specs": SPEC_SEPARATOR.join(f"{name}: {value}" for name, value in product.specs or []),
        }
        yield [row[name] for name in header]


def asset_rows(filters: asset_service.AssetFilters) -> Iterator[list[str]]:
    """The header and one row per asset matching ``filters``, read in batches."""
    yield list(COLUMNS["assets"])
    paths = {node.id: node.path for node, _ in asset_service.location_tree()}
    query = asset_service.assets_query(filters).execution_options(yield_per=EXPORT_BATCH)
    for asset in db.session.scalars(query):
        yield [
            asset.product.sku,
            asset.serial_number,
            asset.name,
            paths.get(asset.location_id, "") if asset.location_id else "",
            asset.company.name if asset.company else "",
            asset.install_date.isoformat() if asset.install_date else "",
            asset.warranty_end.isoformat() if asset.warranty_end else "",
            asset.status,
            asset.notes,
        ]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _quantity(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")  # 10.000 -> "10", 2.500 -> "2.5"
