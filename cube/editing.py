"""Saving an edit made on an old copy of a record: the version check and the diff, written once.

Work orders, products, assets and workflow settings carry a version; a save
based on an old one is refused with ``EditConflict`` listing what differs,
unless only fields outside the form changed. The same diff feeds the audit
trail and the history.
"""

from __future__ import annotations

from collections.abc import Mapping

from cube.errors import EditConflict

Changes = dict[str, list[str]]


def changes_between(before: Mapping[str, str], after: Mapping[str, str]) -> Changes:
    """Each field whose value differs, as ``{field: [before, after]}`` (in ``before``'s order)."""
    return {key: [before[key], after.get(key, "")] for key in before if before[key] != after.get(key, "")}


def check_version(
    expected: int | None, current: int, saved: Mapping[str, str], submitted: Mapping[str, str], what: str
) -> Changes:
    """Refuse a save based on an old version when it would overwrite someone else's values; return the changes."""
    changes = changes_between(saved, submitted)
    if expected is None or expected == current or not changes:
        return changes  # (only fields outside this form changed, a status say: nothing of theirs is overwritten)
    differences = [(label, old, new) for label, (old, new) in changes.items()]
    raise EditConflict(f"This {what} was changed by someone else since you opened it.", differences=differences)
