"""The dashboard's figures and recent audit rows."""

from __future__ import annotations

from sqlalchemy import func, select

from cube.extensions import db
from cube.models import AuditEvent, Team, User
from cube.users.queries import audit_query

RECENT_AUDIT_ROWS = 8


FIGURES = {
    "active_users": select(func.count()).select_from(User).where(User.active.is_(True)),  # who may sign in
    "teams": select(func.count()).select_from(Team).where(Team.active.is_(True)),  # teams in use
}


def figures(names: list[str]) -> dict[str, int]:
    """The dashboard figures called ``names`` (keys of ``FIGURES``), counted in one statement."""
    if not names:
        return {}
    row = db.session.execute(select(*(FIGURES[name].scalar_subquery().label(name) for name in names))).one()
    return {name: value or 0 for name, value in zip(names, row, strict=True)}


def recent_audit_events(limit: int = RECENT_AUDIT_ROWS) -> list[AuditEvent]:
    """The ``limit`` newest audit rows (the audit log's own order)."""
    return list(db.session.scalars(audit_query().limit(limit)))
