"""Landing page and health probes."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from cube import audit_log
from cube.extensions import db
from cube.models import AuditEvent, Team, User
from cube.permissions import can, public, signed_in

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
@signed_in
def dashboard() -> str:
    """Role-aware landing page: what this user can do from here."""
    figures: dict[str, int] = {}
    if can("user.view"):
        figures["active_users"] = db.session.scalar(select(func.count()).where(User.active.is_(True))) or 0
    if can("team.view"):
        figures["teams"] = db.session.scalar(select(func.count()).select_from(Team).where(Team.active.is_(True))) or 0
    recent = []
    if can("audit.view"):
        recent = audit_log.entries(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)).all())
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
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        log.exception("Readiness check failed")
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up"), 200
