"""Small rules shared by the catalog services: numbers, text, conflicts, trees."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from cube.errors import EditConflict, ValidationFailed

T = TypeVar("T")
MAX_AMOUNT = Decimal("9999999999")  # fits Numeric(12, 2) and Numeric(14, 3)


def decimal_value(value: Any, *, field: str, label: str, places: int, minimum: Decimal = Decimal("0")) -> Decimal:
    """A non-negative Decimal with at most ``places`` decimals, or ValidationFailed."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(f"{label} must be a number.", field=field) from exc
    if not number.is_finite():
        raise ValidationFailed(f"{label} must be a number.", field=field)
    if number < minimum:
        raise ValidationFailed(f"{label} cannot be less than {minimum}.", field=field)
    if number > MAX_AMOUNT:
        raise ValidationFailed(f"{label} is too large.", field=field)
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise ValidationFailed(f"{label} can have at most {places} decimals.", field=field)
    return number.quantize(step)


def required_text(value: str, *, field: str, label: str, max_length: int) -> str:
    """Trimmed text that must not be empty nor longer than ``max_length``."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"Enter {label.lower()}.", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{label} can be at most {max_length} characters.", field=field)
    return text


def check_version(
    expected: int | None, current: int, saved: Mapping[str, str], submitted: Mapping[str, str], what: str
) -> None:
    """Refuse a save based on an old version, listing the fields that differ."""
    if expected is None or expected == current:
        return
    differences = [
        (label, saved[label], submitted.get(label, "")) for label in saved if saved[label] != submitted.get(label, "")
    ]
    if not differences:
        return  # only fields outside this form changed (a status, say): nothing of theirs is overwritten
    raise EditConflict(f"This {what} was changed by someone else since you opened it.", differences=differences)


def tree_order(
    nodes: Iterable[T], parent_of: Callable[[T], int | None], id_of: Callable[[T], int], name_of: Callable[[T], str]
) -> list[tuple[T, int]]:
    """Nodes depth-first (parents before children, siblings by name) with their depth."""
    children: dict[int | None, list[T]] = {}
    for node in nodes:
        children.setdefault(parent_of(node), []).append(node)
    ordered: list[tuple[T, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: name_of(n).lower()):
            ordered.append((node, depth))
            walk(id_of(node), depth + 1)

    walk(None, 0)
    return ordered


def descendant_ids(
    nodes: Iterable[T], root_id: int, parent_of: Callable[[T], int | None], id_of: Callable[[T], int]
) -> set[int]:
    """``root_id`` and the ids of everything below it."""
    children: dict[int | None, list[int]] = {}
    for node in nodes:
        children.setdefault(parent_of(node), []).append(id_of(node))
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def optional_text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """Trimmed text (may be empty) no longer than ``max_length``."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{label} can be at most {max_length} characters.", field=field)
    return text
