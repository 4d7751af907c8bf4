"""Uploaded files kept under a random token between the check and the import."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from cube import storage
from cube.errors import NotFound

STAGING_KIND = "imports"
STAGING_MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"[0-9a-f]{32}")


def stage_file(data: bytes) -> str:
    """Keep an uploaded file under a random token until it is imported (kept only if the transaction commits)."""
    _remove_stale_staged_files()
    name = storage.save(STAGING_KIND, data, "csv")
    return Path(name).stem


def staged_file(token: str) -> bytes:
    """The content of a staged file; NotFound for a malformed or unknown token."""
    path = storage.path_of(_staged_name(token))
    if not path.is_file():
        raise NotFound(_unknown())
    return path.read_bytes()


def discard_staged_file(token: str) -> None:
    """Remove a staged file once the current transaction commits."""
    storage.delete(_staged_name(token))


def _unknown() -> str:
    return _("This import is unknown or has already been done.")


def _staged_name(token: str) -> str:
    if not TOKEN.fullmatch(token):
        raise NotFound(_unknown())
    return f"{STAGING_KIND}/{token}.csv"


def _remove_stale_staged_files() -> None:
    folder = Path(current_app.config["UPLOAD_ROOT"]) / STAGING_KIND
    if not folder.is_dir():
        return
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for path in folder.glob("*.csv"):
        if TOKEN.fullmatch(path.stem) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
