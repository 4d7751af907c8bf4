"""Rules for values people type, shared by every service: numbers and text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from cube.errors import ValidationFailed

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


def optional_text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """Trimmed text (may be empty) no longer than ``max_length``."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{label} can be at most {max_length} characters.", field=field)
    return text
