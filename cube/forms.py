"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SubmitField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from cube.errors import DomainError
from cube.i18n import input_number, parse_decimal

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

    submit = SubmitField(_l("Confirm"))


class LocalizedDecimalField(DecimalField):
    """A decimal typed the way the reader's locale writes numbers ("12,5" in German).

    A text input (``inputmode=decimal``), not ``type=number``: a number input sends the
    browser's format whatever the page's language, and cannot show "1.234,5". Input that
    could be read two ways, NaN and infinities (a signalling NaN used to reach a 500) are
    refused with a message that says how to write the number.
    """

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        """A DecimalField whose input asks phones for a numeric keyboard."""
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        """The value for editing, in the reader's locale (what they typed, when it was refused)."""
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, Decimal | int | float):
            return input_number(self.data, self.places)
        return ""

    def pre_validate(self, form: Any) -> None:
        """Text that is no number was refused already: the range rules have nothing to add."""
        if self.process_errors:
            raise StopValidation()

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the typed text in the reader's locale; a blank leaves no value."""
        text = valuelist[0] if valuelist and isinstance(valuelist[0], str) else ""
        self.data = None
        if not text.strip():
            return
        self.data = parse_decimal(text)  # its ValueError carries the message to show


def picker(placeholder: Any) -> dict[str, Any]:
    """Attributes that make a select a searchable picker (cube/static/js/pickers.js), with its words translated.

    ``_macros/pickers.html`` writes the same attributes on selects built by hand in a template.
    """
    return {
        "data-picker": "",
        "data-placeholder": placeholder,
        "data-no-results": _l("Nobody or nothing matches."),
        "data-remove-label": _l("Remove"),
    }
