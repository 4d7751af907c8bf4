"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from cube.errors import DomainError
from cube.i18n import input_number, parse_decimal
from cube.lookups import Among
from cube.parsing import optional_int

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
        "data-signed-out": _l("You are signed out. Sign in again."),
    }


@dataclass(frozen=True)
class Lookup:
    """Where a picker searches (a lookup endpoint and its arguments) and which ids its form accepts (``among``)."""

    endpoint: str
    among: Among
    args: dict[str, str] = field(default_factory=dict)


class _Looked:
    """What the lookup fields share: the options are the chosen values the lookup offers, plus ``kept`` ones.

    The page stays the same size however many people, companies or assets exist: the picker finds the others as
    the person types. A submitted id the lookup does not offer is not among the options, so WTForms refuses it
    with ``invalid_choice_message`` and the form changes nothing.
    """

    hint = _l("Searching needs JavaScript: without it only the current choice is offered.")  # see _macros/forms.html
    lookup: Lookup
    blank: Any
    kept: list[SelectChoice]
    data: Any
    render_kw: dict[str, Any] | None
    _offered: tuple[tuple[int, ...], list[SelectChoice]] | None

    def _setup(self, lookup: Lookup, blank: Any, placeholder: Any) -> None:
        self.lookup, self.blank, self.kept, self._offered = lookup, blank, [], None
        self.render_kw = {**picker(placeholder), **(self.render_kw or {})}

    def _chosen(self) -> tuple[int, ...]:
        values = self.data if isinstance(self.data, list | tuple) else [self.data]
        return tuple(value for value in values if isinstance(value, int))

    @property
    def choices(self) -> list[SelectChoice]:
        """The blank option (if any), the chosen values the lookup offers, then the ``kept`` options."""
        chosen = self._chosen()
        if self._offered is None or self._offered[0] != chosen:
            found = self.lookup.among(chosen) if chosen else []
            self._offered = (chosen, [SelectChoice(o.value, o.text, optgroup=o.optgroup) for o in found])
        leading = [SelectChoice("", self.blank)] if self.blank is not None else []
        return leading + self._offered[1] + self.kept

    def __call__(self, **kwargs: Any) -> Any:
        """The select, telling the picker where to search."""
        source = url_for(self.lookup.endpoint, **self.lookup.args)
        return super().__call__(**{"data-picker-source": source, **kwargs})  # type: ignore[misc]


class LookupField(_Looked, SelectField):
    """A select of one record id that lists only the chosen one; the picker searches ``lookup`` for others."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, lookup: Lookup, blank: Any = None, **kwargs: Any
    ) -> None:
        """``blank``: the words of the "none" option (None: a value is required)."""
        placeholder = kwargs.pop("placeholder", _l("Type to search"))
        super().__init__(label, validators, coerce=optional_int, **kwargs)
        self._setup(lookup, blank, placeholder)


class LookupMultipleField(_Looked, SelectMultipleField):
    """A select of several record ids that lists only the chosen ones; the picker searches ``lookup`` for others."""

    def __init__(self, label: Any = None, validators: Any = None, *, lookup: Lookup, **kwargs: Any) -> None:
        """A multiple select without a blank option."""
        placeholder = kwargs.pop("placeholder", _l("Type to search"))
        super().__init__(label, validators, coerce=int, **kwargs)
        self._setup(lookup, None, placeholder)

    def __call__(self, **kwargs: Any) -> Any:
        """The select, as tall as its chosen options (two to eight rows) for a page without JavaScript."""
        return super().__call__(**{"size": min(max(len(self.choices), 2), 8), **kwargs})
