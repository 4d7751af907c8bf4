"""Rows for the import templates and for exporting companies, products and assets (importable again)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal

from cube.extensions import db
from cube.products import assets as asset_service
from cube.products import catalog as catalog_service
from cube.products import companies as company_service
from cube.products.imports.columns import COLUMNS, EXAMPLES, SPEC_SEPARATOR

EXPORT_BATCH = 500


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


def product_rows(filters: catalog_service.ProductFilters) -> Iterator[list[str]]:
    """The header and one row per product matching ``filters``, read in batches."""
    yield list(COLUMNS["products"])
    paths = {category.id: category.path for category, _ in catalog_service.category_tree()}
    query = catalog_service.products_query(filters).execution_options(yield_per=EXPORT_BATCH)
    for product in db.session.scalars(query):
        yield [
            product.sku,
            product.name,
            paths.get(product.category_id, "") if product.category_id else "",
            product.manufacturer.name if product.manufacturer else "",
            product.unit,
            f"{Decimal(product.unit_cost):.2f}",
            f"{Decimal(product.unit_price):.2f}",
            _quantity(product.min_stock),
            _yes(product.is_spare_part),
            _yes(product.active),
            product.description,
            SPEC_SEPARATOR.join(f"{name}: {value}" for name, value in product.specs or []),
        ]


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
