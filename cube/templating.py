"""Template globals: permissions and the rules pages ask (dates and numbers: ``cube.i18n``)."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from cube import __version__
from cube.layout import layout
from cube.models import Role, User
from cube.permissions import can
from cube.products import inventory
from cube.users import roles, services


def query_args(**overrides: object) -> dict[str, object]:
    """The current query string as url_for arguments, without keys url_for would treat as options
    (``_external``, ``_scheme``, ...), with ``overrides`` applied (None removes a key)."""
    args: dict[str, object] = {
        k: v for k, v in request.args.items() if not k.startswith("_") and k not in {"endpoint", "values"}
    }
    for key, value in overrides.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def _signed_in_person() -> User | None:
    """The signed-in person, or None."""
    return current_user._get_current_object() if current_user and current_user.is_authenticated else None


def can_record_movement(kind: str) -> bool:
    """Template predicate: may the signed-in person record this kind of stock movement."""
    person = _signed_in_person()
    return person is not None and inventory.can_record(person, kind)


def can_change_role_of(user: User) -> bool:
    """Template predicate: may the signed-in person change ``user``'s role (never their own)."""
    person = _signed_in_person()
    return person is not None and services.can_change_role_of(person, user)


def can_deactivate(user: User) -> bool:
    """Template predicate: may the signed-in person deactivate ``user`` (never themselves)."""
    person = _signed_in_person()
    return person is not None and services.can_deactivate(person, user)


def is_locked_role(role: Role) -> bool:
    """Template predicate: is ``role`` read-only in the permission matrix for the signed-in person."""
    person = _signed_in_person()
    return person is None or roles.is_locked_role(person, role)


# The catalog and user-administration rules templates ask (each service enforces the same predicate).
CATALOG_AND_USER_PREDICATES = {
    "can_record_movement": can_record_movement,
    "can_change_role_of": can_change_role_of,
    "can_deactivate": can_deactivate,
    "is_locked_role": is_locked_role,
}


def register_template_helpers(app: Flask) -> None:
    """Make ``can``, ``layout``, ``query_args`` and the template predicates available in every template."""
    app.jinja_env.globals.update(can=can, app_version=__version__, query_args=query_args, layout=layout)
    app.jinja_env.globals.update(CATALOG_AND_USER_PREDICATES)
