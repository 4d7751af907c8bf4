"""Views: image_routes."""

from __future__ import annotations

from cube.products.routes import bp  # noqa: F401
