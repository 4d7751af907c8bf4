"""Landing page and health probes."""

from __future__ import annotations

import logging

from flask import Response, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from cube import audit_log
from cube.extensions import db
from cube.main import queries
from cube.main.blueprint import bp
from cube.permissions import can, public, signed_in

log = logging.getLogger(__name__)


@bp.route("/")
@signed_in
def dashboard() -> str:
    """Role-aware landing page: what this user can do from here."""
    shown = [name for name, permission in (("active_users", "user.view"), ("teams", "team.view")) if can(permission)]
    figures = queries.figures(shown)
    recent = audit_log.entries(queries.recent_audit_events(), current_user) if can("audit.view") else []
    return render_template("main/dashboard.html", figures=figures, recent=recent, user=current_user)


@bp.route("/healthz")
@public
def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz() -> tuple[Response, int]:
    """Readiness: the database answers a query."""
    # Not through cube.edge: a probe answers a status for any failure, not only a domain error.
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        log.exception("Readiness check failed")
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up"), 200
