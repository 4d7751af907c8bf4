"""The columns of each kind of import and export file, their length limits and an example row."""

from __future__ import annotations

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
# One example row per kind, as CSV, for the downloadable templates: sample data in the file format
# (yes/no, units, statuses and numbers as the import reads them back), the same in every language.
EXAMPLES: dict[str, str] = {
    "companies": "Acme Industrial,no,yes,yes,1 Main Street,Springfield,12345,USA,+1 555 0100,"
    "sales@acme.example,https://acme.example,Preferred supplier,yes",  # i18n: not shown (file format)
    "products": "BRG-6204,Ball bearing 6204,Spare parts > Bearings,Acme Industrial,each,4.20,7.50,10,yes,yes,"
    "Sealed deep-groove ball bearing,Bore: 20 mm | Width: 14 mm",  # i18n: not shown (file format)
    "assets": "BRG-6204,SN-0001,Conveyor 3 bearing,Main site > Hall A > Line 3,Acme Industrial,2024-01-31,"
    "2026-01-31,in_service,Installed by the vendor",  # i18n: not shown (file format)
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
# Between the specifications of a product in the specs column ("Name: value | Name: value").
SPEC_SEPARATOR = " | "
