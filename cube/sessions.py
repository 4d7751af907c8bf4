"""Signed-in sessions: starting one, and loading the user back from the session or remember cookie.

The session id Flask-Login stores (and copies into the remember cookie, both
signed with the secret key) is ``user id : session token : sign-in time``.
Rotating the token ends every session; the sign-in time lets the server refuse
a remember cookie older than REMEMBER_COOKIE_DURATION even when a browser (or
a thief) still sends it.
"""

from __future__ import annotations

import hmac
import time

from flask import current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user
from sqlalchemy import func, select
from sqlalchemy.orm import with_expression

from cube.extensions import db
from cube.models import RolePermission, User

# Where Flask-Login keeps the signed-in person's id in the session.
SESSION_USER_KEY = "_user_id"
# A sign-in time this far in the future is still accepted (clocks of several servers drift).
CLOCK_SKEW_SECONDS = 60
# The signed-in person's permissions, read in their row (see User.granted).
GRANTED = func.coalesce(
    select(func.aggregate_strings(RolePermission.permission, " "))
    .where(RolePermission.role_id == User.role_id)
    .scalar_subquery(),
    "",
)


def now_seconds() -> int:
    """The current Unix time in whole seconds (one place, so tests can move the clock)."""
    return int(time.time())


def start_session(user: User, *, remember: bool) -> None:
    """Sign ``user`` in on a fresh session: nothing from before carries over, the CSRF token included."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    login_user(user, remember=remember)  # stores user.sign_in_id() (see register_user_loader)


def user_from_session_id(session_id: str) -> User | None:
    """The active user whose ``id:token:issued`` this is; None ends the session (or refuses the cookie)."""
    parts = session_id.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2].isdigit():
        return None
    user_id, token, issued = int(parts[0]), parts[1], int(parts[2])
    age = now_seconds() - issued
    max_age = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    if age > max_age or age < -CLOCK_SKEW_SECONDS:
        return None
    user = db.session.get(User, user_id, options=[with_expression(User.granted, GRANTED)])  # one row, role joined
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def has_signed_in_session() -> bool:
    """True when this request's session belongs to someone signed in, without loading the user.

    Flask-Login keeps the id in the session from sign-in to sign-out, and puts it there when a remember
    cookie signs someone back in; a session whose user has gone since still counts (its answer is private).
    """
    return SESSION_USER_KEY in session


def register_user_loader(login_manager: LoginManager) -> None:
    """Wire the session-token and age checks into Flask-Login."""
    login_manager.user_loader(user_from_session_id)
    login_manager.id_attribute = "sign_in_id"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str  # the lazy text in the reader's language, flashed as plain text
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
