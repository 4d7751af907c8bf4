"""Read-side queries for user administration: the user list and its export, people pickers, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from cube.audit_log import group_condition
from cube.extensions import db
from cube.models import AuditEvent, User, team_members

# The CSV export's columns: a file format, kept in English whatever the reader's language.
EXPORT_HEADER = (
    *("Name", "E-mail", "Role", "Teams"),  # i18n: not shown (file format)
    *("Phone", "Time zone", "Active", "Last sign-in"),  # i18n: not shown (file format)
)


@dataclass(frozen=True)
class UserFilters:
    """What the user list is narrowed by (all optional)."""

    q: str = ""
    role_id: int | None = None
    team_id: int | None = None
    active: bool | None = None


def users_query(filters: UserFilters) -> Select[tuple[User]]:
    """The user list for ``filters``, ordered by name."""
    query = select(User).order_by(User.name, User.id)
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                User.email.contains(needle, autoescape=True),
                User.phone.contains(needle, autoescape=True),
            )
        )
    if filters.role_id is not None:
        query = query.where(User.role_id == filters.role_id)
    if filters.team_id is not None:
        query = query.where(
            User.id.in_(select(team_members.c.user_id).where(team_members.c.team_id == filters.team_id))
        )
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    return query


def iter_export_rows(filters: UserFilters) -> Iterator[list[str]]:
    """Rows for the CSV export of the filtered list (header first)."""
    yield list(EXPORT_HEADER)
    query = users_query(filters).options(selectinload(User.teams))
    for user in db.session.scalars(query):
        yield [
            user.name,
            user.email,
            user.role.name,
            "; ".join(team.name for team in user.teams),
            user.phone,
            user.timezone,
            "yes" if user.active else "no",
            user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "",
        ]


def active_people() -> list[User]:
    """Active users by name, for the supervisor and member pickers."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id)))


def audit_query(group: str = "") -> Select[tuple[AuditEvent]]:
    """The audit trail newest first, optionally only one group of actions (a key of ``cube.audit_log.GROUPS``).

    An unknown group is no filter. Page it with ``cube.pagination.window``: the table only grows, so it is
    never counted. Names are read per page by ``cube.audit_log.entries``, not joined here.
    """
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    condition = group_condition(group)
    if condition is not None:
        query = query.where(condition)
    return query


def recent_events_about(user: User, *, limit: int = 20) -> list[AuditEvent]:
    """The ``limit`` newest audit events whose record is ``user``."""
    about = (AuditEvent.target_type == "User", AuditEvent.target_id == user.id)  # i18n: not shown (a record type key)
    query = audit_query().where(*about).limit(limit)
    return list(db.session.scalars(query))
