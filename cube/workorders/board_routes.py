"""Views: board_routes."""

from __future__ import annotations

from cube.workorders.routes import bp  # noqa: F401
