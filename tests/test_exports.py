"""CSV and XLSX exports of the filtered company, product and asset lists."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from cube.actors import SYSTEM
from cube.exports import csv_response, xlsx_response
from cube.extensions import db
from cube.models import Product
from cube.products import catalog, imports
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.support import csv_rows, xlsx_rows

FORMULA = '=HYPERLINK("http://evil.example","click")'
EXPORTS = ("/products/export", "/companies/export", "/assets/export")


@pytest.fixture
def catalog_data():
    """Products, companies and assets with a formula in a name and records that filters leave out."""
    maker = make_company(FORMULA, is_manufacturer=True, phone="+44 20 7946 0000")
    make_company("Customer Co", is_customer=True, notes="-5 is not a formula")
    make_company("Old Vendor", is_vendor=True, active=False)
    pumps = catalog.save_category(SYSTEM, None, "Pumps", None)
    small = catalog.save_category(SYSTEM, None, "Small", pumps.id)
    db.session.commit()
    pump = make_product(
        "PMP-1",
        "@SUM(A1) pump",
        category_id=small.id,
        manufacturer_id=maker.id,
        unit_cost=Decimal("12.5"),
        unit_price=Decimal("20"),
        min_stock=Decimal("2.500"),
        is_spare_part=True,
        specs=[["Power", "1 kW"], ["Flow", "=2+3"]],
        description="Line one\nLine two",
    )
    make_product("VLV-1", "Valve")
    make_product("OLD-1", "Archived pump", active=False)
    site = make_location("Site")
    area = make_location("Area 1", "area", site)
    make_asset(pump, "SN-1", name="=cmd|' /C calc'!A0", location_id=area.id, install_date=date(2024, 1, 31))
    make_asset(pump, "SN-2", status="retired")
    return {"maker": maker, "pump": pump, "area": area}


# --- Products ---------------------------------------------------------------------------------------------------


def test_products_csv_has_the_import_columns_and_only_the_filtered_rows(admin_client, catalog_data):
    rows = csv_rows(admin_client.get("/products/export?format=csv&q=pump"))
    assert rows[0] == list(imports.COLUMNS["products"])
    assert [row[0] for row in rows[1:]] == ["PMP-1"]  # the archived pump is filtered out like on the list page
    assert rows[1] == [
        "PMP-1",
        "'@SUM(A1) pump",
        "Pumps > Small",
        "'" + FORMULA,
        "each",
        "12.50",
        "20.00",
        "2.5",
        "yes",
        "yes",
        "Line one\nLine two",
        "Power: 1 kW | Flow: =2+3",
    ]
    everything = csv_rows(admin_client.get("/products/export?status=all"))
    assert sorted(row[0] for row in everything[1:]) == ["OLD-1", "PMP-1", "VLV-1"]
    by_category = csv_rows(admin_client.get(f"/products/export?category={catalog_data['pump'].category_id}"))
    assert [row[0] for row in by_category[1:]] == ["PMP-1"]


def test_products_xlsx_holds_the_same_rows_as_text_with_formulas_neutralised(admin_client, catalog_data):
    response = admin_client.get("/products/export?format=xlsx&q=pump")
    assert response.headers["Content-Disposition"] == 'attachment; filename="products.xlsx"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = xlsx_rows(response, text_only=True)
    assert rows == csv_rows(admin_client.get("/products/export?format=csv&q=pump"))
    assert rows[1][3] == "'" + FORMULA


def test_an_exported_product_file_imports_again_without_changes(admin_client, catalog_data):
    exported = admin_client.get("/products/export?status=all").get_data()
    result = imports.check_file("products", exported, max_rows=1000)
    assert result.ok, result.errors
    assert (result.rows, result.unchanged) == (3, 3)


def test_the_export_reads_in_batches_and_streams(admin_client):
    rows = [
        {"sku": f"BULK-{n:05d}", "sku_key": f"bulk-{n:05d}", "name": f"Bulk {n}", "specs": [], "version": 1}
        for n in range(1234)
    ]
    db.session.execute(insert(Product), rows)
    db.session.commit()
    response = admin_client.get("/products/export?sort=sku")
    assert response.is_streamed
    exported = csv_rows(response)
    assert [row[0] for row in exported[1:]] == [row["sku"] for row in rows]
    workbook_rows = xlsx_rows(admin_client.get("/products/export?format=xlsx&sort=sku"), text_only=True)
    assert len(workbook_rows) == 1235


# --- Companies and assets -----------------------------------------------------------------------------------------


def test_companies_csv_and_xlsx_follow_the_filters(admin_client, catalog_data):
    for fmt in ("csv", "xlsx"):
        response = admin_client.get(f"/companies/export?format={fmt}&kind=manufacturer")
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response, text_only=True)
        assert rows[0] == list(imports.COLUMNS["companies"])
        assert len(rows) == 2
        assert rows[1][0] == "'" + FORMULA
        assert rows[1][1:4] == ["no", "no", "yes"]
        assert rows[1][8] == "'+44 20 7946 0000"
    rows = csv_rows(admin_client.get("/companies/export?status=archived"))
    assert [row[0] for row in rows[1:]] == ["Old Vendor"]
    rows = csv_rows(admin_client.get("/companies/export?q=customer"))
    assert [(row[0], row[11]) for row in rows[1:]] == [("Customer Co", "'-5 is not a formula")]


def test_assets_csv_and_xlsx_follow_the_filters(admin_client, catalog_data):
    for fmt in ("csv", "xlsx"):
        response = admin_client.get(f"/assets/export?format={fmt}&status=in_service")
        assert response.headers["Content-Disposition"] == f'attachment; filename="assets.{fmt}"'
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response, text_only=True)
        assert rows[0] == list(imports.COLUMNS["assets"])
        assert rows[1:] == [
            ["PMP-1", "SN-1", "'=cmd|' /C calc'!A0", "Site > Area 1", "", "2024-01-31", "", "in_service", ""]
        ]
    rows = csv_rows(admin_client.get(f"/assets/export?location={catalog_data['area'].id}"))
    assert [row[1] for row in rows[1:]] == ["SN-1"]
    rows = csv_rows(admin_client.get("/assets/export"))
    assert sorted(row[1] for row in rows[1:]) == ["SN-1", "SN-2"]


def test_an_empty_list_exports_the_header_only(admin_client):
    assert csv_rows(admin_client.get("/companies/export")) == [list(imports.COLUMNS["companies"])]
    assert xlsx_rows(admin_client.get("/assets/export?format=xlsx"), text_only=True) == [
        list(imports.COLUMNS["assets"])
    ]


@pytest.mark.parametrize("url", EXPORTS)
@pytest.mark.parametrize("fmt", ["pdf", "CSV", "xlsx ", "../etc"])
def test_an_unknown_format_is_400(admin_client, url, fmt):
    assert admin_client.get(url, query_string={"format": fmt}).status_code == 400


# --- Permissions --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "supervisor"])
def test_roles_with_catalog_export_may_export(client_as, role):
    client = client_as(role)
    for url in EXPORTS:
        assert client.get(url).status_code == 200
        assert client.get(url + "?format=xlsx").status_code == 200


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_roles_without_catalog_export_get_403(client_as, role):
    client = client_as(role)
    for url in EXPORTS:
        assert client.get(url).status_code == 403
        assert client.get(url + "?format=xlsx").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


# --- The helpers --------------------------------------------------------------------------------------------------


def test_xlsx_cells_are_text_cleaned_and_limited(app):
    rows = [["a", None, 5, "=1+1", "\x01=2+2", "x" * 40_000, "tab\there", "-1", "@x"]]
    with app.test_request_context():
        response = xlsx_response(rows, "t.xlsx", sheet_title="A very long sheet title beyond thirty-one")
        data = b"".join(response.response)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "A very long sheet title beyond "
    values = [cell.value for cell in sheet[1]]
    assert values[:5] == ["a", None, "5", "'=1+1", "'=2+2"]
    assert len(values[5]) == 32_767
    assert values[6:] == ["tab\there", "'-1", "'@x"]
    assert all(cell.data_type != "f" for cell in sheet[1])


def test_csv_response_still_neutralises(app):
    with app.test_request_context():
        response = csv_response([["=1+1", "plain", None]], "t.csv")
        body = "".join(response.response)
    assert body == '\ufeff"\'=1+1","plain",""\r\n'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_failed_xlsx_export_leaves_no_temporary_file(app):
    def rows():
        yield ["header"]
        yield ["row"]
        raise RuntimeError("the database went away")

    before = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    with app.test_request_context():
        response = xlsx_response(rows(), "t.xlsx")
        with pytest.raises(RuntimeError):
            b"".join(response.response)
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) <= before
