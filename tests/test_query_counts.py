"""List and detail pages send a fixed number of SQL statements, however many rows they show."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cube.extensions import db
from cube.models import Product
from tests.catalog_factories import make_asset, make_company, make_location, make_product, stock
from tests.support import statements_for


def add_catalog(start: int, count: int) -> None:
    maker = make_company(f"Maker {start}", is_manufacturer=True)
    shelf = make_location(f"Shelf {start}")
    for number in range(start, start + count):
        product = make_product(f"Q-{number}", f"Query product {number}", manufacturer_id=maker.id, min_stock="5")
        stock(product, shelf, "2")
        make_asset(product, f"SN-{number}", location_id=shelf.id, company_id=maker.id)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/products", 5),
        ("/products?sort=on_hand&desc=y", 5),
        ("/products?q=query", 7),
        ("/stock/low", 3),
        ("/assets", 5),
        ("/companies", 3),
        ("/stock/movements", 2),
    ],
)
def test_list_pages_do_not_grow_with_rows(client_as, url, budget):
    client = client_as("manager")
    add_catalog(0, 3)
    few = statements_for(client, url)
    add_catalog(100, 12)
    many = statements_for(client, url)
    assert many == few, f"{url}: {few} statements for 3 rows, {many} for 15"
    assert few <= budget, f"{url}: {few} statements"


def test_product_detail_is_a_fixed_number_of_statements(client_as):
    client = client_as("manager")
    add_catalog(0, 1)
    product = db.session.scalar(select(Product))
    few = statements_for(client, f"/products/{product.id}")
    shelf = make_location("Second shelf")
    for _ in range(5):
        stock(product, shelf, "1")
    for number in range(5):
        make_asset(product, f"EXTRA-{number}")
    assert statements_for(client, f"/products/{product.id}") == few
