"""Template globals and filters: permissions, local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_login import current_user

from cube import __version__
from cube.permissions import can
from cube.timezones import zone_of


def user_zone() -> ZoneInfo:
    """The signed-in user's time zone (UTC otherwise)."""
    return zone_of(current_user if current_user and current_user.is_authenticated else None)


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC time in the user's time zone."""
    if value is None:
        return ""
    return value.astimezone(user_zone()).strftime(fmt)


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


def register_template_helpers(app: Flask) -> None:
    """Make ``can`` and ``localtime`` available in every template."""
    app.jinja_env.globals.update(can=can, app_version=__version__, query_args=query_args)
    app.jinja_env.filters["localtime"] = localtime
