"""The auth blueprint object (sign-in, sign-out, password links); its views live in ``cube.auth.routes``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
