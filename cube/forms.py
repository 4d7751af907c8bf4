"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from cube.errors import DomainError


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
