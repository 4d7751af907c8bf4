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
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from cube.extensions import db

_NAME = re.compile(r"(?P<kind>[a-z][a-z0-9_-]{0,19})/[0-9a-f]{32}\.(?P<ext>[a-z0-9]{1,5})")
_WRITTEN = "cube_files_written"
_DOOMED = "cube_files_to_delete"


class BadStoredName(ValueError):
    """A name that is not one of ours (and so is never opened)."""


def is_stored_name(name: str) -> bool:
    """True when ``name`` has the shape of a name ``save`` returns."""
    return _NAME.fullmatch(name) is not None


def path_of(name: str) -> Path:
    """The file behind a stored name; refuses anything that is not one of our names."""
    if not is_stored_name(name):
        raise BadStoredName(f"not a stored file name: {name!r}")
    return Path(current_app.config["UPLOAD_ROOT"]) / name


def save(kind: str, data: bytes, extension: str) -> str:
    """Write ``data`` under a new random name and return that name (removed again on rollback)."""
    name = f"{kind}/{secrets.token_hex(16)}.{extension}"
    path = path_of(name)
    session = db.session()
    session.connection()  # begin the transaction now, so its end always decides the file's fate
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:
        session.info.setdefault(_WRITTEN, []).append(path)
        handle.write(data)
    return name


def read(name: str) -> bytes:
    """The content of a stored file."""
    return path_of(name).read_bytes()


def delete(name: str) -> None:
    """Remove a stored file once the current transaction commits."""
    db.session().info.setdefault(_DOOMED, []).append(path_of(name))


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _keep_written_and_remove_deleted(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction can still roll back
    session.info.pop(_WRITTEN, None)
    _unlink(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction rolled back or was closed
        _unlink(session.info.pop(_WRITTEN, []))
        session.info.pop(_DOOMED, None)
