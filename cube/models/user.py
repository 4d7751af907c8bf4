"""People and access: users, roles with their permissions, and teams."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from decimal import Decimal

from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from cube.languages import FALLBACK_LANGUAGE
from cube.models.base import TABLE_OPTIONS, Base, TimestampMixin, UTCDateTime


def new_session_token() -> str:
    """A fresh random per-user session token."""
    return secrets.token_urlsafe(32)


class Role(TimestampMixin, Base):
    """A named set of permissions; built-in roles cannot be renamed."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Loaded when asked (a person named on a page costs no permission query); the signed-in person's
    # come with them in one statement (cube.sessions).
    grants: Mapped[list[RolePermission]] = relationship(back_populates="role", cascade="all, delete-orphan")

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset(grant.permission for grant in self.grants)

    @validates("description")
    def _plain_description(self, _key: str, value: object) -> str:
        """A built-in role's description is a lazily translated text: it is stored as plain English text."""
        if isinstance(value, LazyString):
            with force_locale(FALLBACK_LANGUAGE):
                return str(value)
        return str(value)

    def __repr__(self) -> str:
        return f"<Role {self.name}>"


class RolePermission(Base):
    """One permission held by one role."""

    __tablename__ = "role_permissions"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[Role] = relationship(back_populates="grants")


team_members = Table(
    "team_members",
    Base.metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    **TABLE_OPTIONS,
)


class User(UserMixin, TimestampMixin, Base):
    """A person who signs in. Users are deactivated, never deleted."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # A shipped language code, or "" to follow the browser (then the site default).
    language: Mapped[str] = mapped_column(String(8), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))  # labour cost per hour

    role: Mapped[Role] = relationship(lazy="joined", innerjoin=True)
    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members", order_by="Team.name")
    # The role's permissions as one space-separated text, read in the same row as the signed-in person
    # (cube.sessions): one row however many they hold, where joining the grants gave one row per permission.
    # None when not read that way: then they come from the role's grants.
    granted: Mapped[str | None] = query_expression()

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    def get_id(self) -> str:
        """Flask-Login identity: id plus the session token, so rotating it ends sessions."""
        return f"{self.id}:{self.session_token}"

    def sign_in_id(self) -> str:
        """What Flask-Login stores at sign-in: the identity plus the sign-in time (aged by cube.sessions)."""
        return f"{self.get_id()}:{int(time.time())}"

    @property
    def permissions(self) -> frozenset[str]:
        if not self.active:
            return frozenset()
        return self.role.permissions if self.granted is None else frozenset(self.granted.split())

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions

    is_system = False  # a person; see cube.actors.SystemActor for the system

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class SignInThrottle(Base):
    """Recent failed sign-ins for one e-mail address, from one client address or account-wide.

    Keyed by a keyed hash of the address typed in, not by user, so an address
    with no account is counted (and answered) exactly like one with an account.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        UniqueConstraint("account_key", "client_address"),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
        TABLE_OPTIONS,
    )

    ACCOUNT_WIDE = "*"  # client_address of the row that brakes every address

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Set when an unlock link is mailed; the link carries it, and using it clears the row (single use).
    unlock_nonce: Mapped[str | None] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<SignInThrottle {self.client_address} {self.failures}>"


class Team(TimestampMixin, Base):
    """A group of users with an optional supervisor; work is scoped by team."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    members: Mapped[list[User]] = relationship(secondary=team_members, back_populates="teams", order_by="User.name")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
