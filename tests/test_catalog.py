"""Companies, categories and products: rules, forms, conflicts and list queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import EditConflict, ValidationFailed
from cube.extensions import db
from cube.models import Company, Product, ProductCategory
from cube.products import catalog, companies
from tests.catalog_factories import make_company, make_location, make_product, stock
from tests.support import count, post


def product_form(**overrides: str) -> dict[str, str]:
    data = {
        "sku": "NEW-1",
        "name": "New thing",
        "unit": "each",
        "unit_cost": "10.50",
        "unit_price": "15.00",
        "min_stock": "2",
        "specs": "Voltage: 230 V\nWeight: 3 kg",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_manager_creates_a_product(client_as):
    maker = make_company("Maker", is_manufacturer=True)
    manager = client_as("manager")
    response = post(manager, "/products/new", product_form(manufacturer_id=str(maker.id)))
    assert response.status_code == 302
    product = catalog.product_by_sku("new-1")
    assert product is not None
    assert product.unit_cost == Decimal("10.50")
    assert product.specs == [["Voltage", "230 V"], ["Weight", "3 kg"]]
    page = manager.get(response.location).get_data(as_text=True)
    assert "Voltage" in page
    assert "Maker" in page


def test_sku_is_unique_without_case(client_as):
    make_product("ABC-1")
    response = post(client_as("manager"), "/products/new", product_form(sku="abc-1"))
    assert response.status_code == 200
    assert "Another product has this SKU" in response.get_data(as_text=True)
    assert count(Product) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unit_cost", "-1", "Number must be"),
        ("unit_price", "abc", "Not a valid decimal"),  # the locale-aware decimal input's message
        ("min_stock", "-0.5", "Number must be"),
        ("unit_cost", "1.234", "at most 2 decimals"),
        ("sku", "", "This field is required"),
        ("sku", "has space", "cannot contain spaces"),
        ("sku", "S" * 65, "between"),
        ("name", "", "This field is required"),
        ("unit", "parsec", "Not a valid choice"),
        ("category_id", "99999", "Not a valid choice"),
        ("specs", "no colon here", "Name: value"),
    ],
)
def test_product_bad_input_changes_nothing(client_as, field, value, message):
    response = post(client_as("manager"), "/products/new", product_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Product) == 0


def test_technician_sees_the_catalog_but_cannot_edit(client_as):
    product = make_product("VIEW-1", "Viewable")
    tech = client_as("technician")
    assert "VIEW-1" in tech.get("/products").get_data(as_text=True)
    page = tech.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Viewable" in page
    assert "/edit" not in page
    assert tech.get(f"/products/{product.id}/edit").status_code == 403
    assert post(tech, f"/products/{product.id}/edit", product_form(sku="VIEW-1", name="Hacked")).status_code == 403
    db.session.refresh(product)
    assert product.name == "Viewable"


def test_stale_product_edit_gets_409_and_overwrites_nothing(client_as):
    product = make_product("LOCK-1", "Original")
    first, second = client_as("manager"), client_as("admin")
    version = str(product.version)
    ok = post(first, f"/products/{product.id}/edit", product_form(sku="LOCK-1", name="First edit", version=version))
    assert ok.status_code == 302
    stale = post(
        second, f"/products/{product.id}/edit", product_form(sku="LOCK-1", name="Second edit", version=version)
    )
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone else saved first" in body
    assert "First edit" in body
    assert "Second edit" in body
    db.session.refresh(product)
    assert product.name == "First edit"


def test_stale_edit_via_the_service_raises(app):
    product = make_product()
    data = catalog.ProductData(sku=product.sku, name="Changed")
    with pytest.raises(EditConflict) as caught:
        catalog.update_product(
            SYSTEM, product, data, expected_version=product.version - 1 if product.version > 1 else 99
        )
    assert ("Name", "Pump", "Changed") in caught.value.differences


def test_product_list_search_filter_sort(client_as):
    hvac = catalog.save_category(SYSTEM, None, "HVAC", None)
    filters = catalog.save_category(SYSTEM, None, "Filters", hvac.id)
    db.session.commit()
    make_product("FLT-1", "Bag filter", category_id=filters.id, unit_cost="3")
    make_product("MTR-1", "Motor", unit_cost="300")
    archived = make_product("OLD-1", "Old part")
    archived.active = False
    db.session.commit()
    tech = client_as("technician")
    by_parent = tech.get(f"/products?category={hvac.id}").get_data(as_text=True)
    assert "FLT-1" in by_parent
    assert "MTR-1" not in by_parent
    assert "FLT-1" in tech.get("/products?q=filters").get_data(as_text=True)  # category name matches
    assert "OLD-1" not in tech.get("/products").get_data(as_text=True)
    assert "OLD-1" in tech.get("/products?status=archived").get_data(as_text=True)
    page = tech.get("/products?sort=cost&desc=y").get_data(as_text=True)
    assert page.index("MTR-1") < page.index("FLT-1")
    for bad in ("sort=drop+table", "sort=__class__", "category=abc", "manufacturer=-5", "page=0", "q=%25%25"):
        assert tech.get(f"/products?{bad}").status_code == 200, bad


def test_on_hand_shows_in_the_list(client_as):
    product, shelf = make_product("STK-1"), make_location()
    stock(product, shelf, "7.5")
    page = client_as("technician").get("/products?sort=on_hand&desc=y").get_data(as_text=True)
    assert "7.5 each" in page


def test_category_tree_rules(client_as):
    manager = client_as("manager")
    assert post(manager, "/categories/new", {"category-name": "Electrical"}).status_code == 302
    top = db.session.scalar(select(ProductCategory).where(ProductCategory.name == "Electrical"))
    post(manager, "/categories/new", {"category-name": "Lighting", "category-parent_id": str(top.id)})
    child = db.session.scalar(select(ProductCategory).where(ProductCategory.name == "Lighting"))
    assert child.path == "Electrical > Lighting"
    dup = post(manager, "/categories/new", {"category-name": "Electrical"}, follow_redirects=True)
    assert "already a category" in dup.get_data(as_text=True)
    loop = post(
        manager,
        f"/categories/{top.id}/edit",
        {"category-name": "Electrical", "category-parent_id": str(child.id)},
        follow_redirects=True,
    )
    assert "inside itself" in loop.get_data(as_text=True)
    assert count(ProductCategory) == 2
    assert post(client_as("technician"), "/categories/new", {"category-name": "X"}).status_code == 403


def test_company_crud_and_contacts(client_as):
    manager = client_as("manager")
    form = {
        "name": "Blue Sky Ltd",
        "is_customer": "y",
        "is_vendor": "y",
        "city": "York",
        "email": "Info@BlueSky.example",
        "active": "y",
    }
    response = post(manager, "/companies/new", form)
    assert response.status_code == 302
    company = companies.company_by_name("Blue Sky Ltd")
    assert company.kinds == ["customer", "vendor"]
    assert company.email == "info@bluesky.example"
    post(
        manager,
        f"/companies/{company.id}/contacts",
        {"contact-name": "Ann Lee", "contact-email": "ann@bluesky.example"},
    )
    db.session.refresh(company)
    assert [c.name for c in company.contacts] == ["Ann Lee"]
    assert "Ann Lee" in manager.get(f"/companies/{company.id}").get_data(as_text=True)
    post(manager, f"/companies/contacts/{company.contacts[0].id}/delete")
    db.session.expire_all()
    assert company.contacts == []
    assert "Blue Sky Ltd" in manager.get("/companies?kind=vendor").get_data(as_text=True)
    assert "Blue Sky Ltd" not in manager.get("/companies?kind=manufacturer").get_data(as_text=True)


def test_company_bad_input(client_as):
    make_company("Taken")
    manager = client_as("manager")
    for form in ({"name": "Taken"}, {"name": ""}, {"name": "X" * 201}, {"name": "Fine", "email": "not-mail"}):
        assert post(manager, "/companies/new", form).status_code == 200, form
    assert count(Company) == 1


def test_service_rejects_bad_numbers():
    with pytest.raises(ValidationFailed, match="cannot be less than"):
        catalog.create_product(SYSTEM, catalog.ProductData(sku="N-1", name="N", unit_cost="-1"))
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="must be a number"):
        catalog.create_product(SYSTEM, catalog.ProductData(sku="N-1", name="N", min_stock="many"))
    db.session.rollback()


def test_huge_ids_in_urls_are_404(client_as):
    tech = client_as("technician")
    for url in ("/products/99999999999999999999", "/assets/2147483648", "/companies/0"):
        assert tech.get(url).status_code == 404, url
    assert make_location().id


def test_category_can_be_renamed_and_moved_from_its_page(client_as):
    manager = client_as("manager")
    top = catalog.save_category(SYSTEM, None, "Plumbing", None)
    other = catalog.save_category(SYSTEM, None, "Heating", None)
    db.session.commit()
    page = manager.get("/categories").get_data(as_text=True)
    assert f'action="/categories/{top.id}/edit"' in page
    post(manager, f"/categories/{top.id}/edit", {"category-name": "Pipes", "category-parent_id": str(other.id)})
    db.session.refresh(top)
    assert top.path == "Heating > Pipes"


def test_long_unicode_text_fits_on_every_database(app):
    text = "🔧" * 16_000  # 64,000 bytes of UTF-8
    product = make_product("LONG-1", description=text)
    company = make_company("Long notes", notes=text)
    db.session.expire_all()
    assert db.session.get(Product, product.id).description == text
    assert db.session.get(Company, company.id).notes == text
    with pytest.raises(ValidationFailed, match="at most 16000"):
        catalog.create_product(SYSTEM, catalog.ProductData(sku="LONG-2", name="x", description=text + "!"))
    db.session.rollback()


def test_decimal_commas_are_refused_not_guessed():
    with pytest.raises(ValidationFailed, match="must be a number"):
        catalog.create_product(SYSTEM, catalog.ProductData(sku="C-1", name="C", unit_cost="1,5"))
    db.session.rollback()
