"""Uploaded files on disk, under ``UPLOAD_ROOT``, named at random.

A stored name looks like ``images/3f9c…e1.png``: a kind (one folder per kind),
32 random hex digits and an extension we chose. Only names of that shape are
ever turned into paths, so a stored name can never point outside the root.

Files follow the database session they were saved or deleted in: a file saved
in a unit of work that rolls back (or is closed without committing) is removed,
and a file deleted is only removed from disk once the deletion has committed.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import current_app

from cube.extensions import db
from cube.transactions import on_commit, on_rollback

_NAME = re.compile(r"(?P<kind>[a-z][a-z0-9_-]{0,19})/[0-9a-f]{32}\.(?P<ext>[a-z0-9]{1,5})")


class BadStoredName(ValueError):
    """A name that is not one of ours (and so is never opened)."""


def is_stored_name(name: str) -> bool:
    """True when ``name`` has the shape of a name ``save`` returns."""
    return _NAME.fullmatch(name) is not None


def path_of(name: str) -> Path:
    """The file behind a stored name; refuses anything that is not one of our names."""
    if not is_stored_name(name):
        raise BadStoredName(f"not a stored file name: {name!r}")  # i18n: not shown (caught; answered with 404)
    return Path(current_app.config["UPLOAD_ROOT"]) / name


def save(kind: str, data: bytes, extension: str) -> str:
    """Write ``data`` under a new random name and return that name (removed again on rollback)."""
    name = f"{kind}/{secrets.token_hex(16)}.{extension}"
    path = path_of(name)
    session = db.session()
    session.connection()  # begin the transaction now, so its end always decides the file's fate
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        on_rollback(session, lambda: path.unlink(missing_ok=True))
        handle.write(data)
    return name


def read(name: str) -> bytes:
    """The content of a stored file."""
    return path_of(name).read_bytes()


def delete(name: str) -> None:
    """Remove a stored file once the current transaction commits."""
    path = path_of(name)
    on_commit(db.session(), lambda: path.unlink(missing_ok=True))
