"""Gunicorn entry point: ``gunicorn wsgi:app`` (CUBE_ENV defaults to production here)."""

import os

from cube import create_app

app = create_app(os.environ.get("CUBE_ENV", "production"))
