"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from cube.errors import DomainError


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
