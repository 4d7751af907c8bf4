"""The products blueprint object: companies, catalog, assets, locations and inventory.

It lives apart from the views so each view module imports it without importing
its siblings; ``cube.create_app`` imports the view modules to attach them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("products", __name__)
