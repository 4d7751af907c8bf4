"""Loading the signed-in user from the session, checking the per-user session token."""

from __future__ import annotations

import hmac

from flask_login import LoginManager

from cube.extensions import db
from cube.models import User


def user_from_session_id(session_id: str) -> User | None:
    """The active user whose ``id:token`` this is; None ends the session."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def register_user_loader(login_manager: LoginManager) -> None:
    """Wire the session-token check into Flask-Login."""
    login_manager.user_loader(user_from_session_id)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
