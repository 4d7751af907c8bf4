"""Domain exceptions raised by services, and the HTTP error pages."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from cube.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base for errors a service raises; the caller maps them to a response."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        message = str(message)  # a lazily translated text (``_l``) is said in the language of the moment it is raised
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The user may not do this (403)."""

    status_code = 403


class NotFound(DomainError):
    """The record does not exist or is not visible to the user (404)."""

    status_code = 404


class InvalidTransition(DomainError):
    """The record's state does not allow this change (409)."""

    status_code = 409


class Conflict(DomainError):
    """Someone else changed the record first (409)."""

    status_code = 409


class EditConflict(Conflict):
    """A save based on an old version: someone else saved in between (409).

    ``differences`` lists (field label, value saved by the other person, value
    submitted now) so the page can show what changed; nothing was written.
    """

    def __init__(self, message: str, *, differences: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.differences = differences


class ValidationFailed(DomainError):
    """The input breaks a domain rule (422); ``field`` names the input when known."""

    status_code = 422


class TooManyAttempts(DomainError):
    """Temporarily refused after repeated failures (429)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Signed out"),
    403: _l("Forbidden"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Upload too large"),
    422: _l("Unprocessable input"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

# What the page says when the code gave no message of its own (Werkzeug's defaults are English only).
ERROR_MESSAGES = {
    400: _l("The browser sent a request this site could not understand."),
    401: _l("You are signed out. Sign in again."),
    403: _l("You do not have permission to open this page."),
    404: _l("There is no page at this address. Check the link, or start again from the dashboard."),
    405: _l("This page cannot be used that way."),
    413: _l("The file is larger than this site accepts."),
    429: _l("Too many requests in a short time. Wait a moment and try again."),
    500: _l("The error has been logged. Nothing was saved; please try again."),
}


def error_message(error: HTTPException) -> str:
    """The message for an HTTP error: the one the code gave, else ours for its status (translated)."""
    code = error.code or 500
    if error.description and error.description != type(error).description:
        return error.description
    return str(ERROR_MESSAGES.get(code) or ERROR_TITLES.get(code) or _l("Error"))


def wants_json() -> bool:
    """True when the client asked for JSON rather than a page."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(code: int, description: str) -> Response:
    """A JSON or HTML error response in the site layout."""
    title = str(ERROR_TITLES.get(code, _l("Error")))
    if wants_json():
        response = jsonify(error={"code": code, "title": title, "message": description})
    else:
        try:
            page = render_template("errors/error.html", code=code, title=title, description=description)
        except Exception:  # the layout itself failed (e.g. the database is down): plain page
            log.exception("Could not render the %s error page", code)
            page = f"<!DOCTYPE html><title>{code} {title}</title><h1>{code} {title}</h1><p>{escape(description)}</p>"
        response = make_response(page)
    response.status_code = code
    return response


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error and unhandled exception in the layout (or as JSON)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        db.session.rollback()
        return error_response(
            400,
            _("The form's security token was missing or expired. Nothing was saved; please try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        db.session.rollback()
        response = error_response(error.code, error_message(error))
        for name, value in error.get_headers():  # Allow, Retry-After, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(EditConflict)
    def edit_conflict(error: EditConflict) -> Response:
        db.session.rollback()
        if wants_json():
            response = jsonify(
                error={"code": 409, "title": str(ERROR_TITLES[409]), "message": error.message},
                differences=[{"field": str(f), "saved": str(s), "yours": str(y)} for f, s, y in error.differences],
            )
        else:
            page = render_template("errors/conflict.html", error=error, back=request.path)
            response = make_response(page)
        response.status_code = 409
        return response

    @app.errorhandler(StaleDataError)
    def stale_data(_error: StaleDataError) -> Response:
        db.session.rollback()
        return error_response(
            409, _("Someone else changed this record at the same moment. Nothing was saved; reload and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        db.session.rollback()
        response = error_response(error.status_code, error.message)
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Response | HTTPException:
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("Unhandled error on %s %s", request.method, request.path, exc_info=error)
        db.session.rollback()
        return error_response(500, _("The error has been logged. Nothing was saved; please try again."))
