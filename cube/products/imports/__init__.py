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

Modules: ``columns`` (the file format), ``reading`` (decoding, header, row limit),
``rows`` (checking one row, lookups), ``companies``/``products``/``assets`` (each
kind's checks and writes), ``importing`` (check_file, import_file), ``result``,
``staging`` (the file between check and import) and ``export_rows``.
"""

from cube.errors import NotFound
from cube.products.imports.columns import (
    COLUMNS,
    EXAMPLES,
    KINDS,
    LIST_ENDPOINTS,
    MAX_LENGTH,
    REQUIRED,
    SPEC_SEPARATOR,
    TEXT_MAX,
)
from cube.products.imports.export_rows import EXPORT_BATCH, asset_rows, company_rows, product_rows, template_rows
from cube.products.imports.importing import check_file, import_file
from cube.products.imports.reading import CHUNK_SIZE, CONTROL, LINE_BREAK
from cube.products.imports.result import MAX_REPORTED_ERRORS, ImportResult, RowError
from cube.products.imports.rows import ISO_DATE, NO, YES
from cube.products.imports.staging import (
    STAGING_KIND,
    STAGING_MAX_AGE_SECONDS,
    TOKEN,
    discard_staged_file,
    stage_file,
    staged_file,
)

__all__ = [
    "CHUNK_SIZE",
    "COLUMNS",
    "CONTROL",
    "EXAMPLES",
    "EXPORT_BATCH",
    "ISO_DATE",
    "KINDS",
    "LINE_BREAK",
    "LIST_ENDPOINTS",
    "MAX_LENGTH",
    "MAX_REPORTED_ERRORS",
    "NO",
    "REQUIRED",
    "SPEC_SEPARATOR",
    "STAGING_KIND",
    "STAGING_MAX_AGE_SECONDS",
    "TEXT_MAX",
    "TOKEN",
    "YES",
    "ImportResult",
    "NotFound",
    "RowError",
    "asset_rows",
    "check_file",
    "company_rows",
    "discard_staged_file",
    "import_file",
    "product_rows",
    "stage_file",
    "staged_file",
    "template_rows",
]
