"""A work order's custom field values as people read them: each field's label, in the defined order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from cube.extensions import db
from cube.models import CustomField


def readable_key(key: str) -> str:
    """A key with no field row left (deleted), made readable: ``pump_side`` -> ``Pump side``."""
    return key.replace("_", " ").replace("-", " ").strip().capitalize() or key


def labelled(values: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """``(label, value)`` for each stored value: defined fields in form order (deactivated ones too), then the rest.

    The labels come in one query; a value whose field was deleted shows its key made readable.
    """
    if not values:
        return []
    fields = db.session.scalars(
        select(CustomField)
        .where(CustomField.key.in_(list(values)))
        .order_by(CustomField.position, CustomField.label, CustomField.id)
    )
    rows, seen = [], set()
    for field in fields:
        seen.add(field.key)
        rows.append((field.label, _text(values[field.key])))
    rows += [(readable_key(key), _text(values[key])) for key in sorted(values) if key not in seen]
    return rows


def _text(value: Any) -> str:
    """A stored value as text (None as blank)."""
    return "" if value is None else str(value)
