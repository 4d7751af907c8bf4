"""The products blueprint; its views live in the modules imported at the bottom."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("products", __name__)

# Each module adds its views to ``bp``.
from cube.products import (  # noqa: E402, F401
    asset_routes,
    catalog_routes,
    company_routes,
    export_routes,
    image_routes,
    import_routes,
    inventory_routes,
)
