"""The work order blueprint object and its template helpers; the views add themselves to it.

No view is imported here: ``create_app`` imports the view modules after this one, so every view
module imports on its own and none imports a sibling.
"""

from __future__ import annotations

from flask import Blueprint

from cube.workorders.listing import clear_filters_url, filter_chips
from cube.workorders.panels import TEMPLATE_GLOBALS

bp = Blueprint("workorders", __name__, url_prefix="/work-orders")
for _name, _helper in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(_helper, _name)
bp.add_app_template_global(filter_chips, "filter_chips")
bp.add_app_template_global(clear_filters_url, "clear_filters_url")
