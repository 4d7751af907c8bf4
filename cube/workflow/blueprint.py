"""The workflow admin blueprint object; its views live in ``cube.workflow.routes`` (imported by ``create_app``)."""

from __future__ import annotations

from flask import Blueprint

from cube.workflow import settings

bp = Blueprint("workflow", __name__, url_prefix="/admin/workflow")
# The work order form's custom-field partial reads the active fields through this global.
bp.add_app_template_global(settings.active_custom_fields, "active_custom_fields")
