"""The products blueprint object: companies, catalog, assets, locations and inventory.

It lives apart from the views so each view module imports it without importing
its siblings; ``cube.create_app`` imports the view modules to attach them.
"""

from __future__ import annotations

from flask import Blueprint

from cube.products.labels import TEMPLATE_HELPERS

bp = Blueprint("products", __name__)
# Stored values (asset statuses, location kinds, movement kinds ...) in the reader's words, for every template.
for _name, _helper in TEMPLATE_HELPERS.items():
    bp.add_app_template_global(_helper, _name)
