"""Rules for values people type, shared by every service: numbers and text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from cube.errors import ValidationFailed
from cube.i18n import number

MAX_AMOUNT = Decimal("9999999999")  # fits Numeric(12, 2) and Numeric(14, 3)


def decimal_value(value: Any, *, field: str, label: str, places: int, minimum: Decimal = Decimal("0")) -> Decimal:
    """A non-negative Decimal with at most ``places`` decimals, or ValidationFailed."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("%(label)s must be a number.", label=label), field=field) from exc
    if not amount.is_finite():
        raise ValidationFailed(_("%(label)s must be a number.", label=label), field=field)
    if amount < minimum:
        raise ValidationFailed(
            _("%(label)s cannot be less than %(minimum)s.", label=label, minimum=number(minimum)), field=field
        )
    if amount > MAX_AMOUNT:
        raise ValidationFailed(_("%(label)s is too large.", label=label), field=field)
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise ValidationFailed(
            _("%(label)s can have at most %(places)s decimals.", label=label, places=places), field=field
        )
    return amount.quantize(step)


def required_text(value: str, *, field: str, label: str, max_length: int) -> str:
    """Trimmed text that must not be empty nor longer than ``max_length``."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("Enter %(label)s.", label=label.lower()), field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s can be at most %(max)s characters.", label=label, max=max_length), field=field
        )
    return text


def optional_text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """Trimmed text (may be empty) no longer than ``max_length``."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s can be at most %(max)s characters.", label=label, max=max_length), field=field
        )
    return text
