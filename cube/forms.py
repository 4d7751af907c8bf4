"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SubmitField

from cube.errors import DomainError

# C0 control characters other than tab, newline and carriage return (and DEL):
# PostgreSQL refuses NUL in text, and none of them belong in a form value.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def strip_control_characters(value: Any) -> Any:
    """Remove control characters from submitted text (other values pass through)."""
    return value.translate(_CONTROL) if isinstance(value, str) else value


class CubeForm(FlaskForm):
    """Base form: every field's input is cleaned of control characters."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = unbound_field.kwargs.get("filters", ())
            unbound_field.kwargs["filters"] = (strip_control_characters, *filters)
            return unbound_field.bind(form=form, **options)


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def options(pairs: Iterable[tuple[Any, str]], *, blank: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, optionally led by a blank 'none' option."""
    leading = [SelectChoice("", blank)] if blank is not None else []
    return leading + [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(CubeForm):
    """An empty form: a POST button protected by the CSRF token."""

    submit = SubmitField("Confirm")


class FiniteDecimalField(DecimalField):
    """A decimal input that refuses NaN and infinities as "not a number" (a signalling NaN used to reach a 500)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as WTForms does, then refuse anything that is not a finite number."""
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
