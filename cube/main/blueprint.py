"""The main blueprint object (dashboard and health probes); its views live in ``cube.main.routes``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)
