"""Saving an edit made on an old copy of a record: the conflict check and the diff, written once.

Work orders, products and assets carry a version, and their edit forms carry
what they opened with (``seal`` on the way out, ``unseal`` on the way back: a
signed hidden field holding a keyed digest per field, never the values). A save
is a three-way merge of what the form opened with, what is saved now and what
is submitted:

- a field the editor left as opened keeps the saved value (someone else's change
  to it survives);
- a field the editor changed is taken, unless someone else changed it too since
  the form opened (to another value): then ``EditConflict`` lists those fields
  with their value and the editor's, and nothing is written.

So a version moved by something outside the form (a status change, time logged,
an assignment) or by another editor's change to other fields is no conflict.
Without the opened values (an old form, a tampered field) the save falls back to
the version: any difference from the saved record after a version change is a
conflict. The same diff feeds the audit trail and the history.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from cube.errors import EditConflict

Changes = dict[str, list[str]]

SALT = "cube.editing.opened"


def changes_between(before: Mapping[str, str], after: Mapping[str, str]) -> Changes:
    """Each field whose value differs, as ``{field: [before, after]}`` (in ``before``'s order)."""
    return {key: [before[key], after.get(key, "")] for key in before if before[key] != after.get(key, "")}


def _serializer() -> URLSafeSerializer:
    """Signs the opened values' digests with the app's secret key (a forged field is ignored, not trusted)."""
    return URLSafeSerializer(current_app.secret_key or "", salt=SALT)


def _digest(key: str, value: str) -> str:
    """A keyed digest of one field's value: the form carries no value (a cost, say) its reader may not see."""
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, f"{SALT}\0{key}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Opened:
    """What an edit form opened with: a digest per field."""

    digests: Mapping[str, str]

    @classmethod
    def of(cls, snapshot: Mapping[str, str]) -> Opened:
        """The opened state of a record's snapshot (its fields as text)."""
        return cls({key: _digest(key, value) for key, value in snapshot.items()})

    def same(self, key: str, value: str) -> bool:
        """Is ``value`` what field ``key`` held when the form opened (a field unknown then counts as the same)."""
        digest = self.digests.get(key)
        return digest is None or hmac.compare_digest(digest, _digest(key, value))


def seal(snapshot: Mapping[str, str]) -> str:
    """What an edit form opens with, signed, for its hidden ``opened`` field."""
    return str(_serializer().dumps(dict(Opened.of(snapshot).digests)))


def unseal(token: str | None) -> Opened | None:
    """What an edit form opened with; None when missing or not signed by us."""
    if not token:
        return None
    try:
        loaded = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(loaded, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()):
        return None
    return Opened(loaded)


@dataclass(frozen=True)
class Merge:
    """The outcome of a save: the changes it makes and the fields the editor left as opened (kept as saved)."""

    changes: Changes
    kept: frozenset[str]


def merge_edit(
    opened: Opened | None,
    saved: Mapping[str, str],
    submitted: Mapping[str, str],
    what: str,
    *,
    expected: int | None = None,
    current: int | None = None,
) -> Merge:
    """Merge an edit into the saved record (see the module text); EditConflict when it would overwrite someone."""
    if opened is None:
        changes = changes_between(saved, submitted)
        if expected is not None and expected != current and changes:
            _refuse(what, [(label, old, new) for label, (old, new) in changes.items()])
        return Merge(changes, frozenset())
    mine = {key for key in saved if not opened.same(key, submitted.get(key, ""))}
    theirs = {key for key in saved if not opened.same(key, saved[key])}
    clashes = [(key, saved[key], submitted.get(key, "")) for key in saved if key in mine & theirs]
    clashes = [(key, old, new) for key, old, new in clashes if old != new]
    if clashes:
        _refuse(what, clashes)
    kept = frozenset(saved) - mine
    result = {key: saved[key] if key in kept else submitted.get(key, "") for key in saved}
    return Merge(changes_between(saved, result), kept)


def check_version(
    expected: int | None, current: int, saved: Mapping[str, str], submitted: Mapping[str, str], what: str
) -> Changes:
    """Refuse a save based on an old version that differs from the saved record; return the changes."""
    return merge_edit(None, saved, submitted, what, expected=expected, current=current).changes


def _refuse(what: str, differences: list[tuple[str, str, str]]) -> None:
    """Raise the conflict: each field as (label, the value saved by someone else, the editor's value)."""
    raise EditConflict(
        _("This %(what)s was changed by someone else since you opened it.", what=what), differences=differences
    )
