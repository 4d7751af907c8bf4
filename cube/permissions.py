"""Named permissions, built-in roles, and the access rule every endpoint declares.

Every view is wrapped by exactly one of ``public``, ``signed_in`` or
``requires(...)``. The decorator both enforces the rule and records it on the
view as ``access_rule``; ``create_app`` refuses requests to any endpoint that
has no rule, and a test walks ``app.url_map`` to keep it that way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

# The catalog: every permission the code checks, with what it lets a user do.
PERMISSIONS: dict[str, str] = {
    "user.view": _l("See the user directory and user details"),
    "user.manage": _l("Create and edit users, deactivate them, send password resets"),
    "user.export": _l("Export the user list as CSV"),
    "role.manage": _l("Create roles and edit the permission matrix"),
    "team.view": _l("See teams and their members"),
    "team.manage": _l("Create and edit teams"),
    "audit.view": _l("Read the audit log"),
    "catalog.view": _l("See companies, products, assets, locations and stock"),
    "catalog.manage": _l("Create and edit companies, products, categories, locations and assets"),
    "catalog.import": _l("Import companies, products and assets from CSV files"),
    "catalog.export": _l("Export companies, products and assets as CSV or XLSX"),
    "stock.move": _l("Receive, issue, return and transfer stock"),
    "stock.adjust": _l("Correct stock levels with an adjustment (a reason is required)"),
    "workorder.view_all": _l("See every work order"),
    "workorder.view_team": _l("See the work orders of your teams and those assigned to you"),
    "workorder.create": _l("Create work orders"),
    "workorder.edit": _l("Edit the details of work orders you can see"),
    "workorder.assign": _l("Assign work orders to people and teams"),
    "workorder.work": _l(
        "Start and pause work, log time, take parts (seeing the stock of the part taken), answer checklists, complete"
    ),
    "workorder.approve": _l("Approve or reject new work orders"),
    "workorder.review": _l("Review and close completed work, send it back or reopen it"),
    "workorder.cancel": _l("Cancel work orders"),
    "workorder.export": _l("Export work order lists (CSV, XLSX)"),
    "workorder.view_costs": _l("See hourly rates, labour and part costs and cost totals of work orders you can see"),
    "workflow.manage": _l("Configure statuses, transitions, priorities, types and custom fields"),
    "checklist.manage": _l("Create and edit checklist templates"),
    "settings.manage": _l("Change site-wide settings such as the default language"),
}

WORK_MANAGERS = frozenset(
    {
        "workorder.view_all",
        "workorder.create",
        "workorder.edit",
        "workorder.assign",
        "workorder.approve",
        "workorder.review",
        "workorder.cancel",
        "workorder.export",
        "workorder.view_costs",
    }
)
SUPERVISING = (WORK_MANAGERS - {"workorder.view_all"}) | {"workorder.view_team", "workorder.work"}

CATALOG_EDITORS = frozenset(
    {"catalog.view", "catalog.manage", "catalog.import", "catalog.export", "stock.move", "stock.adjust"}
)

ADMIN_ROLE = "admin"

# What the system actor (jobs, CLI commands, inbound mail; see cube.actors) may do.
# Widen this set, in this one place, when a job needs a new right.
SYSTEM_PERMISSIONS: frozenset[str] = frozenset(
    {
        "user.view",
        "user.manage",
        "role.manage",
        "team.view",
        "team.manage",
        "catalog.view",
        "catalog.manage",
        "catalog.import",
        "stock.move",
        "stock.adjust",
        "workorder.view_all",
        "workorder.create",
        "workorder.edit",
        "workorder.assign",
        "workorder.work",
        "workorder.approve",
        "workorder.review",
        "workorder.cancel",
        "workflow.manage",
    }
)

# Built-in roles and the permissions they start with (admins may change all
# but the admin role, which always holds every permission).
BUILTIN_ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "admin": (_l("Runs the system: users, roles, settings"), frozenset(PERMISSIONS)),
    "manager": (
        _l("Oversees work, reports and costs"),
        frozenset({"user.view", "user.export", "team.view", "audit.view", "checklist.manage"})
        | CATALOG_EDITORS
        | WORK_MANAGERS,
    ),
    "supervisor": (
        _l("Triages, assigns and closes the team's work"),
        frozenset({"user.view", "team.view", "catalog.view", "catalog.export", "stock.move", "checklist.manage"})
        | SUPERVISING,
    ),
    "technician": (
        _l("Carries out work orders"),
        frozenset({"catalog.view", "stock.move", "workorder.view_team", "workorder.create", "workorder.work"}),
    ),
    "requester": (_l("Submits work requests and follows them"), frozenset({"workorder.create"})),
}

PUBLIC = "public"
SIGNED_IN = "signed-in"


def _declare(view: Callable[..., Any], rule: str) -> None:
    view.access_rule = rule  # type: ignore[attr-defined]


def access_rule(view: Callable[..., Any]) -> str | None:
    """The rule a view declared, or None."""
    return getattr(view, "access_rule", None)


def public(view: F) -> F:
    """Anyone may call this endpoint, signed in or not."""
    _declare(view, PUBLIC)
    return view


def _signed_out() -> Any:
    """The answer to a signed-out caller: a JSON client (a picker's or a part search's fetch) gets 401 and a
    message it can show; a page request is sent to the sign-in page, which brings the person back afterwards."""
    from cube.errors import wants_json
    from cube.extensions import login_manager

    if wants_json():
        abort(401)
    return login_manager.unauthorized()


def signed_in(view: F) -> F:
    """Any active signed-in user may call this endpoint."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _signed_out()
        return view(*args, **kwargs)

    _declare(wrapper, SIGNED_IN)
    return wrapper  # type: ignore[return-value]


def requires(*permissions: str) -> Callable[[F], F]:
    """A signed-in user holding every one of ``permissions`` may call this endpoint."""
    unknown = set(permissions) - set(PERMISSIONS)
    if unknown or not permissions:
        raise ValueError(f"unknown permissions: {sorted(unknown)}")  # i18n: not shown (programmer error)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _signed_out()
            if not all(current_user.has_permission(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        _declare(wrapper, "permission:" + ",".join(permissions))
        return wrapper  # type: ignore[return-value]

    return decorator


def can(permission: str) -> bool:
    """True when the current user holds ``permission`` (for views and templates)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")  # i18n: not shown (programmer error)
    person = current_user._get_current_object()  # one proxy lookup, not two
    return bool(person.is_authenticated and person.has_permission(permission))
