"""Roles and the permission matrix."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cube import audit
from cube.actors import Actor, require
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Role, RolePermission
from cube.permissions import ADMIN_ROLE, BUILTIN_ROLES, PERMISSIONS

ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
MANAGE = "role.manage"
DENIED = _l("You may not manage roles.")


def why_locked(actor: Actor, role: Role) -> str | None:
    """Why ``actor`` may not change ``role``'s permissions (None when they may)."""
    if role.name == ADMIN_ROLE:
        return _("The admin role always holds every permission.")
    if not actor.is_system and role.id == actor.role_id:
        return _("You cannot change the permissions of your own role.")
    return None


def is_locked_role(actor: Actor, role: Role) -> bool:
    """True when the permission matrix shows ``role`` read-only to ``actor`` (see ``why_locked``)."""
    return why_locked(actor, role) is not None


def all_roles() -> list[Role]:
    """Every role with its permissions, built-in ones first."""
    query = select(Role).options(selectinload(Role.grants)).order_by(Role.builtin.desc(), Role.id)
    return list(db.session.scalars(query))


def role_by_name(name: str) -> Role | None:
    """The role called ``name``."""
    return db.session.scalar(select(Role).where(Role.name == name))


def ensure_builtin_roles() -> list[Role]:
    """Create any missing built-in role with its default permissions; keep existing edits.

    The admin role is topped up with every permission, since it must hold them all.
    """
    created = []
    for name, (description, permissions) in BUILTIN_ROLES.items():
        role = role_by_name(name)
        if role is None:
            role = Role(name=name, description=description, builtin=True)
            role.grants = [RolePermission(permission=p) for p in sorted(permissions)]
            db.session.add(role)
            created.append(role)
        elif name == ADMIN_ROLE:
            missing = set(PERMISSIONS) - role.permissions
            role.grants.extend(RolePermission(permission=p) for p in sorted(missing))
    db.session.flush()
    return created


def create_role(actor: Actor, name: str, description: str) -> Role:
    """Add a custom role with no permissions yet."""
    require(actor, MANAGE, DENIED)
    name = name.strip().lower()
    if not ROLE_NAME.match(name):
        raise ValidationFailed(
            _("Use 2-64 lower-case letters, digits, '-' or '_', starting with a letter."), field="name"
        )
    if role_by_name(name) is not None:
        raise ValidationFailed(_("A role with this name exists already."), field="name")
    role = Role(name=name, description=description.strip(), builtin=False)
    db.session.add(role)
    db.session.flush()
    audit.record("role.created", actor=actor, target=role, name=name)
    return role


def set_permissions(actor: Actor, wanted: Mapping[int, set[str]]) -> list[Role]:
    """Apply the permission matrix: role id -> permissions it should hold.

    The admin role always holds everything and a user cannot change the role
    they hold; either attempt is refused before anything changes.
    """
    require(actor, MANAGE, DENIED)
    changed = []
    for role in all_roles():
        new = set(wanted.get(role.id, set()))
        unknown = new - set(PERMISSIONS)
        if unknown:
            raise ValidationFailed(_("Unknown permissions: %(codes)s.", codes=", ".join(sorted(unknown))))
        if new == set(role.permissions):
            continue
        locked = why_locked(actor, role)
        if locked:
            raise ValidationFailed(locked)
        changed.append((role, new))
    for role, new in changed:
        added, removed = sorted(new - role.permissions), sorted(role.permissions - new)
        role.grants = [grant for grant in role.grants if grant.permission in new]
        role.grants.extend(RolePermission(permission=p) for p in added)
        audit.record("role.permissions_changed", actor=actor, target=role, added=added, removed=removed)
    db.session.flush()
    return [role for role, _ in changed]
