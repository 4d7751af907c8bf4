"""Template globals and filters: permissions, local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_login import current_user

from cube import __version__
from cube.permissions import can


def user_zone() -> ZoneInfo:
    """The signed-in user's time zone (UTC otherwise)."""
    name = current_user.timezone if current_user and current_user.is_authenticated else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC time in the user's time zone."""
    if value is None:
        return ""
    return value.astimezone(user_zone()).strftime(fmt)


def register_template_helpers(app: Flask) -> None:
    """Make ``can`` and ``localtime`` available in every template."""
    app.jinja_env.globals.update(can=can, app_version=__version__)
    app.jinja_env.filters["localtime"] = localtime
