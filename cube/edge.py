"""The edge of a request: run a service, commit once, and turn a domain error into what the person sees.

Views call one of two helpers instead of writing ``try/except DomainError``:

- ``save_form`` for a page with a form: on success commit, flash and redirect; on
  a refusal roll back, put the message on the form and return ``None`` so the
  view shows the form again (with ``REFUSED``, 422).
- ``act`` for a button that posts: on success commit, flash and redirect; on a
  refusal roll back, flash the message and go back (or, with ``raise_refusal``,
  let the error handler answer with the refusal's status: a request that did not
  come from a page has nowhere to go back to).
- ``load_or_back`` for a step that reads what an earlier page left behind (a
  staged upload): when it is gone, roll back, say so and go back to start again.

Errors that are not about the input propagate to the error handlers after a
rollback: ``NotAllowed`` (403), ``NotFound`` (404), ``EditConflict`` (409 page
with what changed) and ``TooManyAttempts`` (429).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from flask_babel import LazyString
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from cube.errors import DomainError, EditConflict, NotAllowed, NotFound, TooManyAttempts
from cube.extensions import db
from cube.forms import show_error

T = TypeVar("T")
Text = str | LazyString | Callable[[T], str | LazyString]

REFUSED = 422  # the status of a form page shown again after a refusal

# Raised on to the error handlers: they are about who asks or what exists, not about the input.
PROPAGATE: tuple[type[DomainError], ...] = (NotAllowed, NotFound, EditConflict, TooManyAttempts)


def _text(value: Text[T], result: T) -> str:
    """The message or address, computed from the result when it depends on it (lazy strings made plain)."""
    return str(value(result) if callable(value) else value)


def _run(action: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """Run ``action``; roll back on any domain error and hand back the ones that concern the input."""
    try:
        return action(), None
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, PROPAGATE):
            raise
        return None, error


def _commit(success: Text[T] | None, redirect_to: Text[T], result: T) -> Response:
    """Commit, flash ``success`` and redirect to ``redirect_to``.

    The message and the address are worded before the commit, while what they read is still loaded:
    after it every record would be read again just to say what was done.
    """
    message = _text(success, result) if success else ""
    target = _text(redirect_to, result)
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(target)


def save_form(
    form: FlaskForm, action: Callable[[], T], *, success: Text[T] | None, redirect_to: Text[T]
) -> Response | None:
    """Run ``action`` for a validated form; commit, flash ``success`` and redirect, or show the refusal on the form."""
    result, error = _run(action)
    if error is not None:
        show_error(form, error)
        return None
    return _commit(success, redirect_to, result)  # type: ignore[arg-type]


def act(
    action: Callable[[], T],
    *,
    success: Text[T] | None,
    redirect_to: Text[T],
    back: str | None = None,
    prefix: str = "",
    raise_refusal: bool = False,
) -> Response:
    """Run ``action`` for a button; commit, flash ``success`` and redirect, or flash the refusal and go ``back``.

    ``back`` defaults to ``redirect_to``; it is required when ``redirect_to`` depends on the result.
    With ``raise_refusal`` a refusal is rolled back and raised to the error handlers instead of flashed.
    """
    if back is None and callable(redirect_to):
        raise TypeError("act() needs back= when redirect_to depends on the result")
    result, error = _run(action)
    if error is not None and raise_refusal:
        raise error
    if error is not None:
        flash(f"{prefix}{error.message}", "danger")
        return redirect(back if back is not None else redirect_to)  # type: ignore[arg-type]
    return _commit(success, redirect_to, result)  # type: ignore[arg-type]


def load_or_back(load: Callable[[], T], *, back: str, hint: str = "") -> T | Response:
    """Run ``load``; when what it reads is gone (``NotFound``) roll back, flash a warning and redirect ``back``."""
    try:
        return load()
    except NotFound as error:
        db.session.rollback()
        flash(f"{error.message} {hint}".strip(), "warning")
        return redirect(back)
