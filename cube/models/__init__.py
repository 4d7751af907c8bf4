"""All models, importable from one place (and seen by Alembic)."""

from cube.models.audit import AuditEvent
from cube.models.base import Base, TimestampMixin, UTCDateTime, utcnow
from cube.models.user import Role, RolePermission, Team, User, team_members

__all__ = [
    "AuditEvent",
    "Base",
    "Role",
    "RolePermission",
    "Team",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "team_members",
    "utcnow",
]
