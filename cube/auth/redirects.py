"""Where to send a user after signing in: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_local_path(target: str | None) -> bool:
    """True for a path on this site such as ``/users?page=2``.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (which
    browsers treat as ``//host``), and anything with control characters or
    leading white space that a browser would strip.
    """
    if not target or len(target) > 2048 or not target.startswith("/"):
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    if target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target.replace("\\", "/"))
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str:
    """``target`` when it is a local path, else the dashboard."""
    return target if target and is_local_path(target) else url_for("main.dashboard")
