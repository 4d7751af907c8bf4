"""CSV import and CSV/XLSX export rows for companies, products and assets.

An import is checked in full before anything is written: ``check_file`` is the
dry run and ``import_file`` checks again, then creates or updates every row
through the catalog services in the caller's single transaction. The same
columns are used for export, so an exported file can be imported again.

Decisions worth knowing:

- Only the key columns are required (companies: name; products: sku, name;
  assets: product_sku, serial_number). A column left out of the file keeps the
  current value on updates and takes the default on new records; a column
  that is present but blank means "empty" (or the default: unit "each", cost 0,
  status in_service, active yes, other flags no).
- Unknown columns are an error for the whole file: a misspelt "unit cost"
  would otherwise be ignored silently.
- Categories named in a product row are created when missing (the preview lists
  them first); a manufacturer, owner, location or product SKU must exist.
- Products match by SKU ignoring case, assets by product SKU + serial number,
  companies by name (as the services compare them). Unchanged rows are skipped.
- A cell exported as ``'=...`` (a neutralised formula) is read back as ``=...``.
- Row numbers are spreadsheet rows: the header is row 1 and a cell spanning
  several lines still counts as one row.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from cube import audit, storage
from cube.errors import NotFound, ValidationFailed
from cube.exports import FORMULA_PREFIXES
from cube.extensions import db
from cube.models import Asset, AssetStatus, Company, Product, ProductCategory, User
from cube.products import assets as asset_service
from cube.products import catalog as catalog_service
from cube.products import companies as company_service
from cube.products.common import decimal_value

KINDS = ("companies", "products", "assets")
# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": ("name", "customer", "vendor", "manufacturer", "street", "city", "postal_code", "country",
                  "phone", "email", "website", "notes", "active"),
    "products": ("sku", "name", "category", "manufacturer", "unit", "unit_cost", "unit_price", "min_stock",
                 "spare_part", "active", "description", "specs"),
    "assets": ("product_sku", "serial_number", "name", "location", "owner", "install_date", "warranty_end",
               "status", "notes"),
}
# fmt: on
REQUIRED: dict[str, tuple[str, ...]] = {
    "companies": ("name",),
    "products": ("sku", "name"),
    "assets": ("product_sku", "serial_number"),
}
# One example row per kind, as CSV, for the downloadable templates.
EXAMPLES: dict[str, str] = {
    "companies": "Acme Industrial,no,yes,yes,1 Main Street,Springfield,12345,USA,+1 555 0100,"
    "sales@acme.example,https://acme.example,Preferred supplier,yes",
    "products": "BRG-6204,Ball bearing 6204,Spare parts > Bearings,Acme Industrial,each,4.20,7.50,10,yes,yes,"
    "Sealed deep-groove ball bearing,Bore: 20 mm | Width: 14 mm",
    "assets": "BRG-6204,SN-0001,Conveyor 3 bearing,Main site > Hall A > Line 3,Acme Industrial,2024-01-31,"
    "2026-01-31,in_service,Installed by the vendor",
}
LIST_ENDPOINTS = {
    "companies": "products.list_companies",
    "products": "products.list_products",
    "assets": "products.list_assets",
}

# Longest accepted text per column (the database column sizes; 16,000 characters
# of free text still fit MySQL's 64 KB TEXT in utf8mb4).
TEXT_MAX = 16_000
MAX_LENGTH: dict[str, dict[str, int]] = {
    "companies": {
        "name": 200,
        "street": 200,
        "city": 100,
        "postal_code": 20,
        "country": 100,
        "phone": 40,
        "email": 254,
        "website": 200,
        "notes": TEXT_MAX,
    },
    "products": {"sku": 64, "name": 200, "category": 1000, "manufacturer": 200, "description": TEXT_MAX},
    "assets": {
        "product_sku": 64,
        "serial_number": 120,
        "name": 200,
        "location": 1000,
        "owner": 200,
        "notes": TEXT_MAX,
    },
}
MAX_REPORTED_ERRORS = 500
CHUNK_SIZE = 500
STAGING_KIND = "imports"
STAGING_MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[0-9a-f]{32}")
SPEC_SEPARATOR = " | "
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# C0 control characters other than tab, newline and carriage return (and DEL), as the forms strip them.
CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or a whole row when ``column`` is empty)."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What a check or an import found: counts, new categories and errors."""

    kind: str
    rows: int = 0
    new: int = 0
    updates: int = 0
    unchanged: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_rows: set[int] = field(default_factory=set)
    error_count: int = 0
    new_categories: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row can be imported."""
        return not self.file_errors and not self.error_count

    @property
    def more_errors(self) -> int:
        """How many errors were found beyond those listed."""
        return self.error_count - len(self.errors)

    def summary(self) -> str:
        """ "N rows: X new, Y updates, U unchanged, Z errors" (Z counts rows with errors)."""
        failed = len(self.error_rows)
        return (
            f"{self.rows:,} {_plural(self.rows, 'row')}: {self.new:,} new, "
            f"{self.updates:,} {_plural(self.updates, 'update')}, {self.unchanged:,} unchanged, "
            f"{failed:,} {_plural(failed, 'error')}"
        )

    def add_error(self, row: int, column: str, message: str) -> None:
        """Record a problem on ``row``."""
        self.error_count += 1
        self.error_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


class _FileProblem(Exception):
    """The file as a whole cannot be imported."""


# --- Reading the file --------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")  # a leading byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise _FileProblem(
            f"The file is not UTF-8 text (byte {exc.start + 1:,} cannot be read). "
            "Save it as “CSV UTF-8” (comma-separated) and upload it again."
        ) from exc
    if "\x00" in text:
        raise _FileProblem(
            "The file is not UTF-8 text (it contains NUL bytes: it may be a spreadsheet, an image or UTF-16 text). "
            "Save it as “CSV UTF-8” (comma-separated) and upload it again."
        )
    if not text.strip():
        raise _FileProblem("The file is empty. It needs a header row and at least one row of data.")
    return text


def _reader(text: str) -> csv.DictReader[str]:
    return csv.DictReader(io.StringIO(text, newline=""), strict=True)


def _unnamed(position: int) -> str:
    """The internal name of a column whose header cell is blank (no real name can contain NUL)."""
    return f"\x00{position}"


def _header(kind: str, reader: csv.DictReader[str]) -> list[str]:
    """The normalised column names, or _FileProblem naming what is wrong with them."""
    try:
        raw = reader.fieldnames
    except csv.Error as exc:
        raise _FileProblem(f"The header row cannot be read as CSV: {exc}.") from exc
    if not raw:
        raise _FileProblem("The file is empty. It needs a header row and at least one row of data.")
    names = [name.translate(CONTROL).strip().lower() or _unnamed(n) for n, name in enumerate(raw, start=1)]
    known = [name for name in names if not name.startswith("\x00")]
    problems = []
    missing = [column for column in REQUIRED[kind] if column not in known]
    if missing:
        problems.append(f"Missing required columns: {', '.join(missing)}.")
    unknown = [name for name in known if name not in COLUMNS[kind]]
    if unknown:
        problems.append(
            f"Unknown columns: {', '.join(unknown[:20])}. The columns for {kind} are: {', '.join(COLUMNS[kind])}."
        )
    twice = sorted({name for name in known if known.count(name) > 1})
    if twice:
        problems.append(f"These columns appear more than once: {', '.join(twice)}.")
    if problems:
        raise _FileProblem(" ".join(problems))
    return names


def _cell(value: str) -> str:
    """A cell's text: control characters removed, a neutralised formula's quote removed, trimmed."""
    text = value.translate(CONTROL)
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


@dataclass
class _Record:
    number: int
    cells: dict[str, str]
    shape_error: str = ""


def _line_breaks(values: Iterable[Any]) -> int:
    return sum(len(LINE_BREAK.findall(value)) for value in values if isinstance(value, str))


def _shape_error(cells: dict[str, str], extra: list[str], columns: int) -> str:
    if any(_cell(value) for value in extra):
        return f"This row has {columns + len(extra)} cells but the header has {columns} columns."
    if len(cells) < columns:
        return f"This row has {len(cells)} cells but the header has {columns} columns."
    unnamed = [name[1:] for name, value in cells.items() if name.startswith("\x00") and value]
    if unnamed:
        return f"Column {', '.join(unnamed)} has no name in the header, but this row has a value in it."
    return ""


def _records(text: str, names: list[str]) -> Iterator[_Record]:
    """Each non-empty data row with its spreadsheet row number (csv.Error propagates)."""
    reader = _reader(text)
    _ = reader.fieldnames  # read the header line
    reader.fieldnames = names
    number, lines_read = 1, reader.line_num
    for raw in reader:
        extra = raw.pop(None, None) or []  # cells beyond the header (DictReader's restkey)
        # DictReader skips blank lines; a spreadsheet shows them as rows, so count them.
        breaks = _line_breaks(raw.values()) + _line_breaks(extra)
        number += 1 + max(0, reader.line_num - lines_read - 1 - breaks)
        lines_read = reader.line_num
        cells = {name: _cell(value) for name, value in raw.items() if isinstance(value, str)}
        shape_error = _shape_error(cells, extra, len(names))
        cells = {name: value for name, value in cells.items() if not name.startswith("\x00")}
        if not shape_error and not any(cells.values()):
            continue  # an empty row
        yield _Record(number, cells, shape_error)


def _scan(kind: str, data: bytes, max_rows: int) -> tuple[str, list[str]]:
    """Decode, check the header and count the rows before any row is looked at (_FileProblem otherwise)."""
    if kind not in COLUMNS:
        raise _FileProblem(f"Choose what the file contains: {', '.join(KINDS)}.")
    text = _decode(data)
    reader = _reader(text)
    names = _header(kind, reader)
    count = 0
    try:
        for raw in reader:
            cells = [value for value in raw.values() if isinstance(value, str)] + (raw.get(None) or [])
            if any(value.strip() for value in cells):
                count += 1
                if count > max_rows:
                    raise _FileProblem(
                        f"The file has more than {max_rows:,} rows. Split it into files of at most "
                        f"{max_rows:,} rows and import them one after the other."
                    )
    except csv.Error as exc:
        raise _FileProblem(f"Line {reader.line_num:,} cannot be read as CSV: {exc}.") from exc
    if count == 0:
        raise _FileProblem("The file has a header row but no rows of data.")
    return text, names


def _chunks(records: Iterable[_Record]) -> Iterator[list[_Record]]:
    chunk: list[_Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- Checking one row --------------------------------------------------------------------------------------------


class _Row:
    """One data row and the problems found in it."""

    def __init__(self, kind: str, record: _Record, header: frozenset[str]) -> None:
        self.kind = kind
        self.number = record.number
        self.cells = record.cells
        self.header = header
        self.errors: list[tuple[str, str]] = [("", record.shape_error)] if record.shape_error else []

    def has(self, column: str) -> bool:
        return column in self.header

    def fail(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def text(self, column: str, *, required: str = "") -> str:
        """The cell's text, checked for presence (when ``required`` names it) and length."""
        value = self.cells.get(column, "")
        if required and not value:
            self.fail(column, f"Enter {required}.")
        limit = MAX_LENGTH[self.kind].get(column)
        if limit is not None and len(value) > limit:
            self.fail(column, f"Too long: at most {limit:,} characters (this cell has {len(value):,}).")
        return value

    def flag(self, column: str, default: bool) -> bool:
        value = self.cells.get(column, "").lower()
        if not value:
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.fail(column, "Write yes or no.")
        return default

    def amount(self, column: str, *, places: int, label: str) -> Decimal:
        value = self.cells.get(column, "")
        if not value:
            return Decimal("0")
        if "," in value:
            self.fail(column, f"{label} must be a plain number with a dot for decimals (no commas).")
            return Decimal("0")
        try:
            return decimal_value(value, field=column, label=label, places=places)
        except ValidationFailed as exc:
            self.fail(column, exc.message)
            return Decimal("0")

    def day(self, column: str) -> date | None:
        value = self.cells.get(column, "")
        if not value:
            return None
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, "Write the date as YYYY-MM-DD, e.g. 2024-01-31.")
            return None


@dataclass
class _Plan:
    """What to do with one valid row."""

    row: int
    record: Any
    values: dict[str, Any]
    category_path: tuple[str, ...] | None = None


def _fold(text: str) -> str:
    return text.casefold()


def _match_by_name(candidates: Iterable[Any], name: str, attribute: str) -> Any:
    """The candidate whose ``attribute`` equals ``name``, else the only one equal ignoring case."""
    candidates = list(candidates)
    for candidate in candidates:
        if getattr(candidate, attribute) == name:
            return candidate
    folded = [c for c in candidates if _fold(getattr(c, attribute)) == _fold(name)]
    return folded[0] if len(folded) == 1 else None


class _Companies:
    """Company lookups by name for a chunk of rows (the database compares names as the services do)."""

    def __init__(self) -> None:
        self.by_fold: dict[str, list[Company]] = {}

    def load(self, names: Iterable[str]) -> None:
        wanted = sorted({name for name in names if name})
        for start in range(0, len(wanted), CHUNK_SIZE):
            batch = wanted[start : start + CHUNK_SIZE]
            for company in db.session.scalars(select(Company).where(Company.name.in_(batch))):
                group = self.by_fold.setdefault(_fold(company.name), [])
                if company not in group:
                    group.append(company)

    def get(self, name: str) -> Company | None:
        return _match_by_name(self.by_fold.get(_fold(name), []), name, "name")


class _Categories:
    """The category tree by (parent, name), creating missing categories on demand."""

    def __init__(self) -> None:
        self.children: dict[int | None, list[ProductCategory]] = {}
        for category, _ in catalog_service.category_tree():
            self._add(category)

    def _add(self, category: ProductCategory) -> None:
        self.children.setdefault(category.parent_id, []).append(category)

    def _child(self, parent_id: int | None, name: str) -> ProductCategory | None:
        return _match_by_name(self.children.get(parent_id, []), name, "name")

    def find(self, path: tuple[str, ...]) -> int | None:
        parent_id: int | None = None
        for name in path:
            node = self._child(parent_id, name)
            if node is None:
                return None
            parent_id = node.id
        return parent_id

    def ensure(self, actor: User | None, path: tuple[str, ...]) -> int:
        parent_id: int | None = None
        for name in path:
            node = self._child(parent_id, name)
            if node is None:
                node = catalog_service.save_category(actor, None, name, parent_id)  # type: ignore[arg-type]
                self._add(node)
            parent_id = node.id
        assert parent_id is not None
        return parent_id


def _path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(">"))


class _Kind:
    """Checks and applies the rows of one kind of file."""

    kind = ""
    field_columns: dict[str, str] = {}  # service field name -> CSV column, where they differ

    def __init__(self, header: frozenset[str]) -> None:
        self.header = header
        self.seen: dict[Any, int] = {}

    def prefetch(self, rows: list[_Row]) -> None:
        """Load what the rows refer to, in a few queries per chunk."""

    def plan(self, row: _Row) -> _Plan | None:
        """The row's values (None when the row has errors, which are on ``row``)."""
        raise NotImplementedError

    def current(self, record: Any) -> dict[str, Any]:
        """A saved record's values, in the shape ``plan`` produces."""
        raise NotImplementedError

    def apply(self, actor: User | None, plan: _Plan) -> None:
        """Create or update the record through the service."""
        raise NotImplementedError

    def once(self, row: _Row, column: str, key: Any, label: str) -> None:
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.fail(column, f"{label} is already on row {first} of this file.")

    def column_of(self, service_field: str | None) -> str:
        return self.field_columns.get(service_field or "", service_field or "")


class _CompanyRows(_Kind):
    kind = "companies"
    field_columns = {"is_customer": "customer", "is_vendor": "vendor", "is_manufacturer": "manufacturer"}
    flags = {"customer": "is_customer", "vendor": "is_vendor", "manufacturer": "is_manufacturer", "active": "active"}
    texts = ("street", "city", "postal_code", "country", "phone", "website", "notes")

    def __init__(self, header: frozenset[str]) -> None:
        super().__init__(header)
        self.companies = _Companies()

    def prefetch(self, rows: list[_Row]) -> None:
        self.companies.load(row.cells.get("name", "") for row in rows)

    def current(self, record: Any) -> dict[str, Any]:
        return {name: getattr(record, name) for name in company_service.CompanyData.__dataclass_fields__}

    def plan(self, row: _Row) -> _Plan | None:
        name = row.text("name", required="a company name")
        if name:
            self.once(row, "name", _fold(name), f"The company {name}")
        record = self.companies.get(name) if name else None
        values = self.current(record) if record else asdict(company_service.CompanyData(name=""))
        values["name"] = name
        for column, attribute in self.flags.items():
            if row.has(column):
                values[attribute] = row.flag(column, default=attribute == "active")
        for column in self.texts:
            if row.has(column):
                values[column] = row.text(column)
        if row.has("email"):
            values["email"] = self._email(row)
        if row.errors:
            return None
        return _Plan(row.number, record, values)

    @staticmethod
    def _email(row: _Row) -> str:
        value = row.text("email")
        if not value:
            return ""
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            row.fail("email", f"Enter a valid e-mail address ({exc}).")
        return value.lower()

    def apply(self, actor: User | None, plan: _Plan) -> None:
        data = company_service.CompanyData(**plan.values)
        company = company_service.save_company(actor, plan.record, data)
        if plan.record is None:
            self.companies.by_fold.setdefault(_fold(company.name), []).append(company)


class _ProductRows(_Kind):
    kind = "products"
    field_columns = {"category_id": "category", "manufacturer_id": "manufacturer", "is_spare_part": "spare_part"}

    def __init__(self, header: frozenset[str], categories: _Categories, new_categories: list[str]) -> None:
        super().__init__(header)
        self.products: dict[str, Product] = {}
        self.companies = _Companies()
        self.categories = categories
        self.new_categories = new_categories

    def prefetch(self, rows: list[_Row]) -> None:
        keys = sorted({row.cells.get("sku", "").lower() for row in rows} - {""})
        if keys:
            query = select(Product).where(Product.sku_key.in_(keys))
            self.products.update({product.sku_key: product for product in db.session.scalars(query)})
        self.companies.load(row.cells.get("manufacturer", "") for row in rows)

    def current(self, record: Any) -> dict[str, Any]:
        values = {name: getattr(record, name) for name in catalog_service.ProductData.__dataclass_fields__}
        values["specs"] = [list(pair) for pair in record.specs or []]
        return values

    def plan(self, row: _Row) -> _Plan | None:
        sku = row.text("sku", required="a SKU")
        if any(char.isspace() for char in sku):
            row.fail("sku", "A SKU cannot contain spaces.")
        if sku:
            self.once(row, "sku", sku.lower(), f"The SKU {sku} (SKUs ignore upper and lower case)")
        record = self.products.get(sku.lower()) if sku else None
        values = self.current(record) if record else asdict(catalog_service.ProductData(sku="", name=""))
        values["sku"] = sku
        values["name"] = row.text("name", required="a name")
        category_path = self._category(row, values)
        if row.has("manufacturer"):
            values["manufacturer_id"] = self._manufacturer(row)
        if row.has("unit"):
            unit = row.cells.get("unit", "").lower() or "each"
            if unit not in catalog_service.UNITS:
                row.fail("unit", f"Choose a unit from: {', '.join(catalog_service.UNITS)}.")
            values["unit"] = unit
        for column, label, places in (
            ("unit_cost", "Unit cost", 2),
            ("unit_price", "Price", 2),
            ("min_stock", "Minimum stock", 3),
        ):
            if row.has(column):
                values[column] = row.amount(column, places=places, label=label)
        if row.has("spare_part"):
            values["is_spare_part"] = row.flag("spare_part", default=False)
        if row.has("active"):
            values["active"] = row.flag("active", default=True)
        if row.has("description"):
            values["description"] = row.text("description")
        if row.has("specs"):
            values["specs"] = _specs(row)
        if row.errors:
            return None
        return _Plan(row.number, record, values, category_path)

    def _category(self, row: _Row, values: dict[str, Any]) -> tuple[str, ...] | None:
        """Set the category id; the path to create when it does not exist yet."""
        if not row.has("category"):
            return None
        text = row.text("category")
        if not text:
            values["category_id"] = None
            return None
        path = _path(text)
        if any(not part for part in path):
            row.fail("category", "Write the category as a path of names, e.g. Spare parts > Bearings.")
            return None
        if any(len(part) > 120 for part in path):
            row.fail("category", "A category name can be at most 120 characters.")
            return None
        found = self.categories.find(path)
        values["category_id"] = found
        if found is not None:
            return None
        shown = " > ".join(path)
        if _fold(shown) not in {_fold(known) for known in self.new_categories}:
            self.new_categories.append(shown)
        return path

    def _manufacturer(self, row: _Row) -> int | None:
        name = row.text("manufacturer")
        if not name:
            return None
        company = self.companies.get(name)
        if company is None:
            row.fail("manufacturer", f"No company is called {name!r}. Import or add it first.")
            return None
        return company.id

    def apply(self, actor: User | None, plan: _Plan) -> None:
        values = dict(plan.values)
        if plan.category_path is not None:
            values["category_id"] = self.categories.ensure(actor, plan.category_path)
        data = catalog_service.ProductData(**values)
        if plan.record is None:
            catalog_service.create_product(actor, data)
        else:
            catalog_service.update_product(actor, plan.record, data, expected_version=None)


def _specs(row: _Row) -> list[list[str]]:
    """Specifications from "Name: value | Name: value"."""
    specs = []
    for part in row.cells.get("specs", "").split("|"):
        part = part.strip()
        if not part:
            continue
        name, separator, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not separator or not name:
            row.fail("specs", "Write specifications as Name: value pairs separated by | (a vertical bar).")
            return []
        if len(name) > 80 or len(value) > 500:
            row.fail("specs", "A specification name can be at most 80 characters and a value at most 500.")
            return []
        specs.append([name, value])
    if len(specs) > catalog_service.MAX_SPECS:
        row.fail("specs", f"At most {catalog_service.MAX_SPECS} specifications.")
    return specs


class _AssetRows(_Kind):
    kind = "assets"
    field_columns = {"product_id": "product_sku", "location_id": "location", "company_id": "owner"}
    statuses = frozenset(status.value for status in AssetStatus)

    def __init__(self, header: frozenset[str], locations: dict[str, int]) -> None:
        super().__init__(header)
        self.products: dict[str, Product] = {}
        self.assets: dict[tuple[int, str], list[Asset]] = {}
        self.companies = _Companies()
        self.locations = locations

    def prefetch(self, rows: list[_Row]) -> None:
        keys = sorted({row.cells.get("product_sku", "").lower() for row in rows} - {""})
        if keys:
            query = select(Product).where(Product.sku_key.in_(keys))
            self.products.update({product.sku_key: product for product in db.session.scalars(query)})
        serials = sorted({row.cells.get("serial_number", "") for row in rows} - {""})
        if serials:
            for asset in db.session.scalars(select(Asset).where(Asset.serial_number.in_(serials))):
                group = self.assets.setdefault((asset.product_id, _fold(asset.serial_number)), [])
                if asset not in group:
                    group.append(asset)
        self.companies.load(row.cells.get("owner", "") for row in rows)

    def current(self, record: Any) -> dict[str, Any]:
        return {name: getattr(record, name) for name in asset_service.AssetData.__dataclass_fields__}

    def plan(self, row: _Row) -> _Plan | None:
        sku = row.text("product_sku", required="the product's SKU")
        serial = row.text("serial_number", required="a serial number")
        product = self.products.get(sku.lower()) if sku else None
        if sku and product is None:
            row.fail("product_sku", f"No product has the SKU {sku!r}.")
        record = None
        if product is not None and serial:
            self.once(row, "serial_number", (product.id, _fold(serial)), f"{sku} serial number {serial}")
            record = _match_by_name(self.assets.get((product.id, _fold(serial)), []), serial, "serial_number")
        values = self.current(record) if record else asdict(asset_service.AssetData(product_id=0, serial_number=""))
        values["product_id"] = product.id if product else 0
        values["serial_number"] = serial
        for column in ("name", "notes"):
            if row.has(column):
                values[column] = row.text(column)
        if row.has("location"):
            values["location_id"] = self._location(row)
        if row.has("owner"):
            values["company_id"] = self._owner(row)
        for column in ("install_date", "warranty_end"):
            if row.has(column):
                values[column] = row.day(column)
        if values["install_date"] and values["warranty_end"] and values["warranty_end"] < values["install_date"]:
            row.fail("warranty_end", "The warranty cannot end before the install date.")
        if row.has("status"):
            status = row.cells.get("status", "").lower().replace(" ", "_") or AssetStatus.IN_SERVICE.value
            if status not in self.statuses:
                row.fail("status", "Write in_service, down or retired.")
            values["status"] = status
        if row.errors:
            return None
        return _Plan(row.number, record, values)

    def _location(self, row: _Row) -> int | None:
        text = row.text("location")
        if not text:
            return None
        found = self.locations.get(" > ".join(_path(text)))
        if found is None:
            row.fail("location", f"No location has the path {text!r} (write it as Site > Building > Area).")
        return found

    def _owner(self, row: _Row) -> int | None:
        name = row.text("owner")
        if not name:
            return None
        company = self.companies.get(name)
        if company is None:
            row.fail("owner", f"No company is called {name!r}. Import or add it first.")
            return None
        return company.id

    def apply(self, actor: User | None, plan: _Plan) -> None:
        data = asset_service.AssetData(**plan.values)
        if plan.record is None:
            asset = asset_service.create_asset(actor, data)
            self.assets.setdefault((asset.product_id, _fold(asset.serial_number)), []).append(asset)
        else:
            asset_service.update_asset(actor, plan.record, data, expected_version=None)


def _handler(kind: str, header: frozenset[str], result: ImportResult) -> _Kind:
    if kind == "companies":
        return _CompanyRows(header)
    if kind == "products":
        return _ProductRows(header, _Categories(), result.new_categories)
    locations = {node.path: node.id for node, _ in asset_service.location_tree()}
    return _AssetRows(header, locations)


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(before.get(name) == value for name, value in after.items())


def _run(actor: User | None, kind: str, data: bytes, max_rows: int, *, write: bool) -> ImportResult:
    result = ImportResult(kind=kind)
    try:
        text, names = _scan(kind, data, max_rows)
    except _FileProblem as exc:
        result.file_errors.append(str(exc))
        return result
    header = frozenset(names)
    handler = _handler(kind, header, result)
    try:
        for chunk in _chunks(_records(text, names)):
            rows = [_Row(kind, record, header) for record in chunk]
            handler.prefetch(rows)
            for row in rows:
                result.rows += 1
                plan = handler.plan(row)
                for column, message in row.errors:
                    result.add_error(row.number, column, message)
                if plan is None:
                    continue
                unchanged = plan.record is not None and plan.category_path is None
                if unchanged and _same(handler.current(plan.record), plan.values):
                    result.unchanged += 1
                    continue
                if plan.record is None:
                    result.new += 1
                else:
                    result.updates += 1
                if write:
                    try:
                        handler.apply(actor, plan)
                    except ValidationFailed as exc:
                        result.add_error(plan.row, handler.column_of(exc.field), exc.message)
                        return result  # the caller rolls back: nothing of this import is kept
    except csv.Error as exc:  # _scan read the same text, so this is not expected
        result.file_errors.append(f"The file cannot be read as CSV: {exc}.")
    return result


def check_file(kind: str, data: bytes, *, max_rows: int) -> ImportResult:
    """Dry run: read and check every row of a CSV file of ``kind`` without writing anything."""
    return _run(None, kind, data, max_rows, write=False)


def import_file(actor: User | None, kind: str, data: bytes, *, max_rows: int) -> ImportResult:
    """Check the whole file, then create or update every row; when ``ok`` is False the caller must roll back."""
    checked = _run(actor, kind, data, max_rows, write=False)
    if not checked.ok:
        return checked
    result = _run(actor, kind, data, max_rows, write=True)
    if result.ok:
        audit.record(
            "catalog.imported",
            actor=actor,
            kind=kind,
            rows=result.rows,
            new=result.new,
            updates=result.updates,
            unchanged=result.unchanged,
        )
    return result


# --- Staged uploads between the check and the import ---------------------------------------------------------------


def _staged_name(token: str) -> str:
    if not TOKEN.fullmatch(token):
        raise NotFound("This import is unknown or has already been done.")
    return f"{STAGING_KIND}/{token}.csv"


def stage_file(data: bytes) -> str:
    """Keep an uploaded file under a random token until it is imported (kept only if the transaction commits)."""
    _remove_stale_staged_files()
    name = storage.save(STAGING_KIND, data, "csv")
    return Path(name).stem


def staged_file(token: str) -> bytes:
    """The content of a staged file; NotFound for a malformed or unknown token."""
    path = storage.path_of(_staged_name(token))
    if not path.is_file():
        raise NotFound("This import is unknown or has already been done.")
    return path.read_bytes()


def discard_staged_file(token: str) -> None:
    """Remove a staged file once the current transaction commits."""
    storage.delete(_staged_name(token))


def _remove_stale_staged_files() -> None:
    folder = Path(current_app.config["UPLOAD_ROOT"]) / STAGING_KIND
    if not folder.is_dir():
        return
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for path in folder.glob("*.csv"):
        if TOKEN.fullmatch(path.stem) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


# --- Templates and exports ---------------------------------------------------------------------------------------


def template_rows(kind: str) -> list[list[str]]:
    """The header and one example row for a kind of import file."""
    return [list(COLUMNS[kind]), next(csv.reader([EXAMPLES[kind]]))]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _quantity(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")  # 10.000 -> "10", 2.500 -> "2.5"


EXPORT_BATCH = 500


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
