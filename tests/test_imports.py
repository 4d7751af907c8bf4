"""CSV import: the dry run, the all-or-nothing import, bad files, row errors, staging and permissions."""

from __future__ import annotations

import csv
import io
import re
import secrets
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from cube.actors import SYSTEM
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Asset, AuditEvent, Company, Product, ProductCategory
from cube.products import catalog, imports
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.files import png
from tests.support import count, post

COMPANY_HEADER = ",".join(imports.COLUMNS["companies"])
PRODUCT_HEADER = ",".join(imports.COLUMNS["products"])
ASSET_HEADER = ",".join(imports.COLUMNS["assets"])
TOKEN_IN_PAGE = re.compile(r'action="/import/([0-9a-f]{32})"')


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def upload(client, kind: str, data: bytes | str, filename: str = "data.csv"):
    payload = data.encode() if isinstance(data, str) else data
    return post(
        client,
        "/import",
        {"kind": kind, "file": (io.BytesIO(payload), filename)},
        content_type="multipart/form-data",
    )


def staged_files(app) -> set[Path]:
    folder = Path(app.config["UPLOAD_ROOT"]) / "imports"
    return set(folder.iterdir()) if folder.exists() else set()


def token_of(response) -> str | None:
    found = TOKEN_IN_PAGE.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def confirm(client, token: str, kind: str):
    return post(client, f"/import/{token}", {"kind": kind})


def staged_path(app, token: str) -> Path:
    return Path(app.config["UPLOAD_ROOT"]) / "imports" / f"{token}.csv"


def check(kind: str, data: bytes, max_rows: int = 100_000) -> imports.ImportResult:
    return imports.check_file(kind, data, max_rows=max_rows)


def errors_of(result: imports.ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


def product_line(sku: str = "P-1", name: str = "Pump", **cells: str) -> str:
    values = {
        "sku": sku,
        "name": name,
        "category": "",
        "manufacturer": "",
        "unit": "each",
        "unit_cost": "1.50",
        "unit_price": "2.00",
        "min_stock": "0",
        "spare_part": "no",
        "active": "yes",
        "description": "",
        "specs": "",
    }
    values.update(cells)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([values[column] for column in imports.COLUMNS["products"]])
    return buffer.getvalue().removesuffix("\n")


# --- The happy path ---------------------------------------------------------------------------------------------


def test_start_page_offers_kinds_and_templates(admin_client):
    body = admin_client.get("/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in body
    for kind in imports.KINDS:
        assert f"/import/{kind}/template.csv" in body


@pytest.mark.parametrize("kind", imports.KINDS)
def test_template_has_the_header_and_one_example_row(admin_client, kind):
    response = admin_client.get(f"/import/{kind}/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{kind}-template.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(imports.COLUMNS[kind])
    assert len(rows) == 2
    assert len(rows[1]) == len(rows[0])


def test_templates_import_cleanly_in_order(admin_client):
    site = make_location("Main site")
    hall = make_location("Hall A", "building", site)
    make_location("Line 3", "area", hall)
    for kind in imports.KINDS:
        template = admin_client.get(f"/import/{kind}/template.csv").get_data()
        response = upload(admin_client, kind, template)
        token = token_of(response)
        assert token, response.get_data(as_text=True)
        assert confirm(admin_client, token, kind).status_code == 302
    asset = db.session.scalar(select(Asset))
    assert asset.serial_number == "SN-0001"
    assert asset.product.sku == "BRG-6204"
    assert asset.product.manufacturer.name == "Acme Industrial"
    assert asset.location.path == "Main site > Hall A > Line 3"
    assert asset.product.category.path == "Spare parts > Bearings"
    assert asset.product.specs == [["Bore", "20 mm"], ["Width", "14 mm"]]


def test_unknown_template_kind_is_404(admin_client):
    assert admin_client.get("/import/users/template.csv").status_code == 404


def test_preview_writes_nothing_then_import_creates_and_reimport_updates(app, admin_client):
    data = csv_bytes(
        COMPANY_HEADER,
        "Acme,no,yes,yes,1 Main St,Springfield,12345,USA,+1 555 0100,Sales@Acme.example,,Good,yes",
        "Bolt Co,yes,no,no,,,,,,,,,yes",
    )
    preview = upload(admin_client, "companies", data)
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "2 rows: 2 new, 0 updates, 0 unchanged, 0 errors" in body
    assert "Import now" in body
    assert count(Company) == 0

    token = token_of(preview)
    assert staged_path(app, token).read_bytes() == data
    response = confirm(admin_client, token, "companies")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/companies")
    assert count(Company) == 2
    acme = db.session.scalar(select(Company).where(Company.name == "Acme"))
    assert (acme.is_vendor, acme.is_manufacturer, acme.is_customer) == (True, True, False)
    assert acme.email == "sales@acme.example"
    assert acme.phone == "+1 555 0100"
    assert not staged_path(app, token).exists()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "catalog.imported")) is not None

    again = upload(admin_client, "companies", data)
    assert "2 rows: 0 new, 0 updates, 2 unchanged, 0 errors" in again.get_data(as_text=True)
    changed = data.replace(b"Springfield", b"Shelbyville")
    preview = upload(admin_client, "companies", changed)
    assert "2 rows: 0 new, 1 update, 1 unchanged, 0 errors" in preview.get_data(as_text=True)
    follow = confirm(admin_client, token_of(preview), "companies")
    assert follow.status_code == 302
    assert count(Company) == 2
    assert db.session.scalar(select(Company.city).where(Company.name == "Acme")) == "Shelbyville"


def test_summary_is_flashed_after_the_import(admin_client):
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Flash Co")))
    confirm(admin_client, token, "companies")
    with admin_client.session_transaction() as session:
        messages = [message for _, message in session.get("_flashes", [])]
    assert any("1 row: 1 new, 0 updates, 0 unchanged, 0 errors" in message for message in messages)


def test_products_import_creates_categories_links_manufacturer_and_parses_specs(admin_client):
    make_company("Maker GmbH", is_manufacturer=True)
    data = csv_bytes(
        PRODUCT_HEADER,
        product_line(
            "brg-1",
            "Bearing",
            category="Spare parts > Bearings",
            manufacturer="Maker GmbH",
            unit="box",
            unit_cost="4.20",
            unit_price="7.5",
            min_stock="10.125",
            spare_part="yes",
            description="Sealed\nball bearing",
            specs="Bore: 20 mm | Width: 14 mm | Ratio: 1:2",
        ),
        product_line("BRG-2", "Other bearing", category="spare parts > bearings"),
    )
    preview = upload(admin_client, "products", data)
    body = preview.get_data(as_text=True)
    assert "will be created" in body
    assert "Spare parts &gt; Bearings" in body
    assert count(ProductCategory) == 0
    assert confirm(admin_client, token_of(preview), "products").headers["Location"].endswith("/products")
    assert count(ProductCategory) == 2
    first = db.session.scalar(select(Product).where(Product.sku == "brg-1"))
    second = db.session.scalar(select(Product).where(Product.sku == "BRG-2"))
    assert first.category.path == "Spare parts > Bearings"
    assert second.category_id == first.category_id
    assert first.manufacturer.name == "Maker GmbH"
    assert (first.unit, first.unit_cost, first.unit_price) == ("box", Decimal("4.20"), Decimal("7.50"))
    assert first.min_stock == Decimal("10.125")
    assert first.is_spare_part is True
    assert first.description == "Sealed\nball bearing"
    assert first.specs == [["Bore", "20 mm"], ["Width", "14 mm"], ["Ratio", "1:2"]]


def test_products_match_by_sku_ignoring_case_and_missing_columns_keep_values(admin_client):
    product = make_product("ABC-1", "Old name", unit_cost=Decimal("5.00"), min_stock=Decimal("3"))
    preview = upload(admin_client, "products", csv_bytes("SKU,Name", "abc-1,New name"))
    assert "1 row: 0 new, 1 update" in preview.get_data(as_text=True)
    confirm(admin_client, token_of(preview), "products")
    assert count(Product) == 1
    db.session.refresh(product)
    assert (product.sku, product.name) == ("abc-1", "New name")
    assert (product.unit_cost, product.min_stock) == (Decimal("5.00"), Decimal("3.000"))


def test_assets_import_by_product_sku_and_serial(admin_client):
    pump = make_product("PUMP-1", "Pump")
    owner = make_company("Owner Ltd", is_customer=True)
    site = make_location("North")
    make_location("Plant room", "building", site)
    line = "pump-1,SN-9,Pump 9,North > Plant room,Owner Ltd,2024-01-31,2026-01-31,in_service,first"
    preview = upload(admin_client, "assets", csv_bytes(ASSET_HEADER, line))
    assert "1 row: 1 new" in preview.get_data(as_text=True)
    assert confirm(admin_client, token_of(preview), "assets").headers["Location"].endswith("/assets")
    asset = db.session.scalar(select(Asset))
    assert (asset.product_id, asset.serial_number, asset.company_id) == (pump.id, "SN-9", owner.id)
    assert asset.location.path == "North > Plant room"
    assert asset.install_date.isoformat() == "2024-01-31"

    update = line.replace("in_service,first", "down,second")
    preview = upload(admin_client, "assets", csv_bytes(ASSET_HEADER, update))
    assert "1 row: 0 new, 1 update" in preview.get_data(as_text=True)
    confirm(admin_client, token_of(preview), "assets")
    assert count(Asset) == 1
    db.session.refresh(asset)
    assert (asset.status, asset.notes) == ("down", "second")


def test_asset_rows_are_checked(admin_client):
    make_product("PUMP-1", "Pump")
    make_location("North")
    result = check(
        "assets",
        csv_bytes(
            ASSET_HEADER,
            "NOPE-1,SN-1,,,,,,,",
            "PUMP-1,SN-2,,Nowhere,,,,,",
            "PUMP-1,SN-3,,,Ghost Ltd,,,,",
            "PUMP-1,SN-4,,,,31/01/2024,,,",
            "PUMP-1,SN-5,,,,2024-02-01,2024-01-01,,",
            "PUMP-1,SN-6,,,,,,broken,",
            "PUMP-1,,,,,,,,",
            "PUMP-1,SN-8,,North,,,,,",
        ),
    )
    assert errors_of(result) == [
        (2, "product_sku"),
        (3, "location"),
        (4, "owner"),
        (5, "install_date"),
        (6, "warranty_end"),
        (7, "status"),
        (8, "serial_number"),
    ]
    assert (result.rows, result.new) == (8, 1)


# --- Bad files ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "name,city\nMüller AG,Köln\n".encode("latin-1"),
        png(4, 4),
        "name\nUTF-16 Co\n".encode("utf-16-le"),
    ],
    ids=["latin-1", "png", "utf-16"],
)
def test_a_file_that_is_not_utf8_is_refused(app, admin_client, data):
    before = staged_files(app)
    response = upload(admin_client, "companies", data, filename="data.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in body
    assert "Import now" not in body
    assert token_of(response) is None
    assert count(Company) == 0
    assert staged_files(app) == before


def test_a_utf8_byte_order_mark_is_accepted(admin_client):
    data = "\ufeffname,city\nMüller AG,Köln\n".encode()
    token = token_of(upload(admin_client, "companies", data))
    assert token
    confirm(admin_client, token, "companies")
    assert db.session.scalar(select(Company.city).where(Company.name == "Müller AG")) == "Köln"


def test_missing_required_columns_are_named():
    result = check("products", csv_bytes("name,unit_cost", "Pump,1"))
    assert result.file_errors == [result.file_errors[0]]
    assert "Missing required columns: sku." in result.file_errors[0]
    result = check("assets", csv_bytes("name", "x"))
    assert "Missing required columns: product_sku, serial_number." in result.file_errors[0]


def test_unknown_extra_columns_are_refused(admin_client):
    response = upload(admin_client, "products", csv_bytes("sku,name,unit cost,colour", "P-1,Pump,1,red"))
    body = response.get_data(as_text=True)
    assert "Unknown columns: unit cost, colour." in body
    assert token_of(response) is None
    assert count(Product) == 0


def test_duplicate_header_columns_are_refused():
    result = check("companies", csv_bytes("name,city,City", "A,B,C"))
    assert "These columns appear more than once: city." in result.file_errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\r\n  \n", "The file is empty"),
        (b"\xef\xbb\xbf", "The file is empty"),
        (b"sku,name\n", "header row but no rows of data"),
        (b"sku,name\r\n,\r\n\r\n", "header row but no rows of data"),
    ],
    ids=["empty", "blank", "bom-only", "header-only", "header-and-blank-rows"],
)
def test_an_empty_file_or_header_only_is_explained(admin_client, data, message):
    response = upload(admin_client, "products", data)
    assert message in response.get_data(as_text=True)
    assert token_of(response) is None


def test_rows_beyond_the_limit_are_refused(app, admin_client, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    four = csv_bytes("name", "A", "B", "C", "D")
    body = upload(admin_client, "companies", four).get_data(as_text=True)
    assert "The file has more than 3 rows" in body
    assert count(Company) == 0
    three = csv_bytes("name", "A", "B", "C")
    assert token_of(upload(admin_client, "companies", three))


def test_a_100001_row_file_is_refused_before_touching_the_database(app, admin_client):
    assert app.config["IMPORT_MAX_ROWS"] == 100_000
    lines = ["sku,name", *(f"SKU-{number:06d},Part {number}" for number in range(100_001))]
    data = ("\n".join(lines) + "\n").encode()
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = upload(admin_client, "products", data, filename="big.csv")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file has more than 100,000 rows" in body
    assert token_of(response) is None
    assert not any("products" in statement.lower() for statement in statements)
    assert len(statements) < 20  # the session and user, nothing per row
    assert count(Product) == 0


def test_a_formula_is_stored_verbatim_and_neutralised_on_export(admin_client):
    formula = '=HYPERLINK("http://evil.example","click")'
    data = csv_bytes("name,phone", f'"{formula.replace(chr(34), chr(34) * 2)}",+1 555')
    confirm(admin_client, token_of(upload(admin_client, "companies", data)), "companies")
    company = db.session.scalar(select(Company))
    assert (company.name, company.phone) == (formula, "+1 555")

    exported = admin_client.get("/companies/export?format=csv").get_data(as_text=True).lstrip("\ufeff")
    row = list(csv.reader(io.StringIO(exported)))[1]
    assert (row[0], row[8]) == ("'" + formula, "'+1 555")
    workbook = load_workbook(io.BytesIO(admin_client.get("/companies/export?format=xlsx").get_data()))
    cell = workbook.active["A2"]
    assert (cell.value, cell.data_type) == ("'" + formula, "s")

    # Importing the export again reads the neutralised cells back as they were: nothing changes.
    again = upload(admin_client, "companies", exported.encode())
    assert "1 row: 0 new, 0 updates, 1 unchanged, 0 errors" in again.get_data(as_text=True)


# --- Row errors ---------------------------------------------------------------------------------------------------


def test_duplicate_skus_in_one_file_are_row_errors():
    result = check("products", csv_bytes("sku,name", "A-1,One", "B-1,Two", "a-1,Three"))
    assert [(e.row, e.column) for e in result.errors] == [(4, "sku")]
    assert "already on row 2" in result.errors[0].message


def test_duplicate_companies_and_assets_in_one_file_are_row_errors():
    assert errors_of(check("companies", csv_bytes("name", "Acme", "ACME"))) == [(3, "name")]
    make_product("P-1")
    assert errors_of(check("assets", csv_bytes("product_sku,serial_number", "P-1,S1", "p-1,S1"))) == [
        (3, "serial_number")
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("unit_cost", "-1", "Unit cost cannot be less than 0."),
        ("unit_cost", "abc", "Unit cost must be a number."),
        ("unit_price", "NaN", "Price must be a number."),
        ("unit_price", "1.234", "Price can have at most 2 decimals."),
        ("min_stock", "-0.5", "Minimum stock cannot be less than 0."),
        ("min_stock", "ten", "Minimum stock must be a number."),
        ("unit_cost", "1,5", "no commas"),
        ("unit_cost", "1e30", "Unit cost is too large."),
        ("unit", "crate", "Choose a unit"),
        ("spare_part", "maybe", "Write yes or no."),
        ("specs", "no colon here", "Name: value"),
    ],
)
def test_bad_numbers_and_values_are_row_errors_with_row_and_column(column, value, message):
    data = csv_bytes(PRODUCT_HEADER, product_line("OK-1"), product_line("BAD-1", **{column: value}))
    result = check("products", data)
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert result.summary() == "2 rows: 1 new, 0 updates, 0 unchanged, 1 error"


def test_unknown_manufacturer_is_a_row_error():
    result = check("products", csv_bytes("sku,name,manufacturer", "P-1,Pump,Nobody Inc"))
    assert errors_of(result) == [(2, "manufacturer")]
    assert "No company is called 'Nobody Inc'" in result.errors[0].message


def test_overlong_values_are_row_errors():
    result = check(
        "products",
        csv_bytes("sku,name,description", f"{'S' * 65},Pump,", f"P-2,{'n' * 201},", f"P-3,Pump,{'d' * 16_001}"),
    )
    assert errors_of(result) == [(2, "sku"), (3, "name"), (4, "description")]
    assert "at most 64 characters (this cell has 65)" in result.errors[0].message
    result = check("companies", csv_bytes("name,postal_code", f"Acme,{'1' * 21}"))
    assert errors_of(result) == [(2, "postal_code")]


def test_rows_with_the_wrong_number_of_cells_are_row_errors():
    result = check("companies", csv_bytes("name,city", "A,B,C", "D", "E,F,"))
    assert errors_of(result) == [(2, ""), (3, "")]
    assert "3 cells but the header has 2 columns" in result.errors[0].message
    assert result.new == 1  # a trailing empty cell is fine


def test_row_numbers_count_the_header_as_row_one_and_match_the_spreadsheet():
    data = (
        b"sku,name,description\r\n"
        b'P-1,One,"two\r\nline description"\r\n'  # row 2 spans two lines of text
        b"\r\n"  # row 3 is empty
        b"P-3,Three,\r\n"
        b"P 4,Four,\r\n"  # row 5: a space in the SKU
    )
    result = check("products", data)
    assert errors_of(result) == [(5, "sku")]
    assert result.rows == 3


def test_a_bad_last_row_means_the_import_writes_nothing(app, admin_client):
    good = [product_line(f"P-{number}", f"Part {number}", category="New > Branch") for number in range(1, 50)]
    data = csv_bytes(PRODUCT_HEADER, *good, product_line("P-LAST", "Last", unit_cost="-5"))
    preview = upload(admin_client, "products", data)
    body = preview.get_data(as_text=True)
    assert "50 rows: 49 new, 0 updates, 0 unchanged, 1 error" in body
    assert "<td>51</td><td><code>unit_cost</code></td>" in body
    assert "Import now" not in body

    # Even if such a file reached the import step, nothing of it is written.
    token = secrets.token_hex(16)
    staged_path(app, token).parent.mkdir(parents=True, exist_ok=True)
    staged_path(app, token).write_bytes(data)
    response = confirm(admin_client, token, "products")
    assert response.status_code == 422
    assert "<td>51</td>" in response.get_data(as_text=True)
    assert count(Product) == 0
    assert count(ProductCategory) == 0


def test_a_row_that_breaks_between_check_and_import_rolls_everything_back(admin_client):
    maker = make_company("Maker")
    rows = [product_line(f"P-{number}", "Part") for number in range(1, 20)]
    data = csv_bytes(PRODUCT_HEADER, *rows, product_line("P-LAST", "Last", manufacturer="Maker"))
    token = token_of(upload(admin_client, "products", data))
    assert token
    maker.name = "Renamed"
    db.session.commit()
    response = confirm(admin_client, token, "products")
    assert response.status_code == 422
    assert "No company is called &#39;Maker&#39;" in response.get_data(as_text=True)
    assert count(Product) == 0


def test_a_service_refusal_while_importing_rolls_back_every_row(app, admin_client, monkeypatch):
    rows = [product_line(f"P-{number}", "Part", category="Auto > Made") for number in range(1, 30)]
    data = csv_bytes(PRODUCT_HEADER, *rows, product_line("P-LAST", "Last"))
    token = token_of(upload(admin_client, "products", data))
    assert token
    real_create = catalog.create_product

    def refuse_the_last(actor, product_data):
        if product_data.sku == "P-LAST":
            raise ValidationFailed("Refused by the service.", field="unit_cost")
        return real_create(actor, product_data)

    monkeypatch.setattr(catalog, "create_product", refuse_the_last)
    response = confirm(admin_client, token, "products")
    assert response.status_code == 422
    assert "<td>31</td><td><code>unit_cost</code></td><td>Refused by the service.</td>" in response.get_data(
        as_text=True
    )
    assert count(Product) == 0
    assert count(ProductCategory) == 0
    assert staged_path(app, token).exists()


def test_service_import_of_a_file_with_a_bad_last_row_writes_nothing():
    data = csv_bytes("name,email", "Good Co,", "Bad Co,not-an-address")
    result = imports.import_file(SYSTEM, "companies", data, max_rows=100)
    assert not result.ok
    assert errors_of(result) == [(3, "email")]
    db.session.flush()
    assert count(Company) == 0


def test_unchanged_products_and_assets_are_not_rewritten(admin_client):
    product = make_product("P-1", "Pump", specs=[["Power", "1 kW"]])
    make_asset(product, "SN-1")
    version = product.version
    exported = admin_client.get("/products/export").get_data()
    assert "1 row: 0 new, 0 updates, 1 unchanged" in upload(admin_client, "products", exported).get_data(as_text=True)
    token = token_of(upload(admin_client, "products", exported))
    confirm(admin_client, token, "products")
    db.session.refresh(product)
    assert product.version == version
    exported = admin_client.get("/assets/export").get_data()
    assert "1 row: 0 new, 0 updates, 1 unchanged" in upload(admin_client, "assets", exported).get_data(as_text=True)


# --- Staging and tokens -------------------------------------------------------------------------------------------


def test_a_file_with_errors_is_not_kept(app, admin_client):
    before = staged_files(app)
    upload(admin_client, "companies", csv_bytes("name,email", "Bad,not-an-address"))
    assert staged_files(app) == before


def test_an_unknown_token_redirects_to_the_start(admin_client):
    response = confirm(admin_client, secrets.token_hex(16), "companies")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/import")
    follow = admin_client.get("/import")
    assert "unknown or has already been done" in follow.get_data(as_text=True)


def test_a_token_cannot_be_used_twice(admin_client):
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Once Co")))
    assert confirm(admin_client, token, "companies").headers["Location"].endswith("/companies")
    assert confirm(admin_client, token, "companies").headers["Location"].endswith("/import")
    assert count(Company) == 1


def test_a_token_cannot_reach_files_outside_the_staging_folder(app, admin_client):
    root = Path(app.config["UPLOAD_ROOT"])
    token = secrets.token_hex(16)
    for folder in (root, root / "images", root.parent):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{token}.csv").write_bytes(csv_bytes("name", "Smuggled Co"))
    (root / "secret.csv").write_bytes(csv_bytes("name", "Secret Co"))
    for candidate in (
        token,
        token.upper(),
        token[:-1],
        token + "0",
        "../secret",
        "..%2Fsecret",
        "%2e%2e%2fsecret",
        "..\\secret",
        f"..%2F{token}",
        "secret",
    ):
        response = confirm(admin_client, candidate, "companies")
        assert response.status_code in {302, 404, 405}, candidate
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/import"), candidate
    assert count(Company) == 0
    with pytest.raises(imports.NotFound):
        imports.staged_file("../secret")


def test_a_tampered_kind_is_refused(admin_client):
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Kind Co")))
    response = confirm(admin_client, token, "users")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/import")
    # The file is re-checked as the kind given: a company file is not a product file.
    response = confirm(admin_client, token, "products")
    assert response.status_code == 422
    assert "Missing required columns: sku" in response.get_data(as_text=True)
    assert count(Company) == 0


def test_the_form_needs_a_kind_and_a_file(admin_client):
    response = post(admin_client, "/import", {"kind": "companies"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)
    response = upload(admin_client, "widgets", csv_bytes("name", "X"))
    assert response.status_code == 422


def test_old_staged_files_are_removed(app, admin_client):
    import os

    old = staged_path(app, secrets.token_hex(16))
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"name\nOld\n")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    token_of(upload(admin_client, "companies", csv_bytes("name", "New Co")))
    assert not old.exists()


# --- Permissions --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "technician", "requester"])
def test_roles_without_catalog_import_get_403_and_nothing_changes(app, client_as, admin_client, role):
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Staged Co")))
    client = client_as(role)
    assert client.get("/import").status_code == 403
    assert client.get("/import/companies/template.csv").status_code == 403
    assert upload(client, "companies", csv_bytes("name", "Intruder Co")).status_code == 403
    assert confirm(client, token, "companies").status_code == 403
    assert count(Company) == 0
    assert staged_path(app, token).exists()


def test_manager_may_import(client_as):
    manager = client_as("manager")
    token = token_of(upload(manager, "companies", csv_bytes("name", "Managed Co")))
    assert confirm(manager, token, "companies").status_code == 302
    assert count(Company) == 1


def test_anonymous_users_are_sent_to_sign_in(client, admin_client):
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Staged Co")))
    for response in (
        client.get("/import"),
        client.get("/import/companies/template.csv"),
        upload(client, "companies", csv_bytes("name", "Anon Co")),
        confirm(client, token, "companies"),
    ):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    assert count(Company) == 0


def test_posts_without_a_csrf_token_are_refused(admin_client):
    response = admin_client.post(
        "/import",
        data={"kind": "companies", "file": (io.BytesIO(csv_bytes("name", "No Token Co")), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    token = token_of(upload(admin_client, "companies", csv_bytes("name", "Staged Co")))
    assert admin_client.post(f"/import/{token}", data={"kind": "companies"}).status_code == 400
    assert count(Company) == 0
