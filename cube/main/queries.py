"""The dashboard's figures and recent audit rows."""

from __future__ import annotations

from sqlalchemy import func, select

from cube.extensions import db
from cube.models import AuditEvent, Team, User
from cube.users.queries import audit_query

RECENT_AUDIT_ROWS = 8


def active_user_count() -> int:
    """How many people may sign in."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0


def active_team_count() -> int:
    """How many teams are in use."""
    return db.session.scalar(select(func.count()).select_from(Team).where(Team.active.is_(True))) or 0


def recent_audit_events(limit: int = RECENT_AUDIT_ROWS) -> list[AuditEvent]:
    """The ``limit`` newest audit rows (the audit log's own order)."""
    return list(db.session.scalars(audit_query().limit(limit)))
