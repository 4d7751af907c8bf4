"""Sign-in rules: credentials, lockout, password policy, reset tokens, sessions."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from cube import audit
from cube.actors import Actor
from cube.auth import throttling
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.mail import send_email
from cube.models import User, utcnow
from cube.models.user import new_session_token

GENERIC_LOGIN_ERROR = _l("Invalid e-mail or password.")
MAX_PASSWORD_LENGTH = 256
RESET = "password-reset"
INVITE = "invite"
UNLOCK = "unlock"


class InvalidCredentials(ValidationFailed):
    """Unknown e-mail, wrong password or inactive account: one message for all."""

    def __init__(self) -> None:
        super().__init__(str(GENERIC_LOGIN_ERROR))


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored in lower case, without spaces."""
    return email.strip().lower()


@cache
def common_passwords() -> frozenset[str]:
    """The refused-password list shipped with the application."""
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a throw-away password with the configured method, so checking it costs the same."""
    return generate_password_hash("cube-timing-equaliser", method=method)


def password_problems(password: str, email: str) -> list[str]:
    """Why ``password`` is not acceptable for the account ``email`` (empty when fine)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Use at least %(num)s characters.", num=minimum))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(num)s characters.", num=MAX_PASSWORD_LENGTH))
    lowered = password.strip().lower()
    email = normalise_email(email)
    if email and lowered in {email, email.split("@")[0]}:
        problems.append(_("The password must not be your e-mail address."))
    if lowered in common_passwords():
        problems.append(_("This password is too common; choose another."))
    return problems


def hash_password(password: str) -> str:
    """Hash with the configured Werkzeug method."""
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def _check_password(user: User | None, password: str) -> bool:
    """Exactly one hash check whoever asks: the user's hash when there is one, else a dummy of equal cost."""
    if user is not None and user.password_hash:
        return check_password_hash(user.password_hash, password)
    check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
    return False


def authenticate(email: str, password: str, *, address: str, device: str | None = None) -> User:
    """Return the user for these credentials; count failures per (e-mail, client address) and account-wide.

    Every attempt costs one hash check and gets the same answers whether the
    address has an account or not. Raises ``TooManyAttempts`` while this client
    address (or, unless ``device`` is a valid pass for this account, everyone)
    must wait, and ``InvalidCredentials`` otherwise. Failures are flushed so
    the caller's commit keeps them even though the sign-in failed.
    """
    email = normalise_email(email)
    key = throttling.account_key(email)
    user = db.session.scalar(select(User).where(User.email == email))
    now = utcnow()
    valid = _check_password(user, password) and user is not None and user.active
    throttling.check(key, address, now, braked=not device_trusted(device, email))
    if not valid or user is None:
        failure = throttling.record_failure(key, address, now)
        if user is None:
            audit.record("auth.login_failed", actor=None, email=email[:254])
        else:
            audit.record("auth.login_failed", actor=None, target=user, attempt=failure.address_failures)
            if failure.locked:
                minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
                audit.record("auth.lockout", actor=None, target=user, minutes=minutes)
            if failure.brake_started and user.active:
                send_unlock_email(user)
        db.session.flush()
        raise InvalidCredentials()
    throttling.clear(key, address)
    user.last_login_at = now
    audit.record("auth.login", actor=user, target=user)
    db.session.flush()
    return user


def clear_sign_in_failures(user: User) -> None:
    """Forget every failed sign-in counted against this user's address (e.g. on reactivation)."""
    throttling.clear_all(throttling.account_key(user.email))


def device_token(email: str) -> str:
    """A signed pass saying this browser signed in to (or unlocked) the account: the brake lets it through."""
    return _serializer("device").dumps({"k": throttling.account_key(normalise_email(email))})


def device_trusted(token: str | None, email: str) -> bool:
    """True when ``token`` is a current device pass for the account of ``email``."""
    if not token:
        return False
    max_age = current_app.config["SIGN_IN_DEVICE_DAYS"] * 86400
    try:
        data = _serializer("device").loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return False
    key = throttling.account_key(normalise_email(email))
    return isinstance(data, dict) and hmac.compare_digest(str(data.get("k", "")), key)


def _expiry(max_age: int) -> datetime:
    """When a link made now for ``max_age`` seconds stops working (shown in the recipient's zone)."""
    return utcnow() + timedelta(seconds=max_age)


def send_unlock_email(user: User) -> None:
    """E-mail the owner a single-use link that lets their browser past the account-wide brake."""
    nonce = throttling.issue_unlock_nonce(throttling.account_key(user.email))
    if nonce is None:
        return
    max_age = current_app.config["UNLOCK_MAX_AGE"]
    send_email(
        user,
        _l("Sign-in attempts on your CUBE-PRO account"),
        "unlock",
        user=user,
        token=_serializer(UNLOCK).dumps({"uid": user.id, "n": nonce}),
        minutes=max_age // 60,
        expires=_expiry(max_age),
    )
    audit.record("auth.unlock_sent", actor=None, target=user)


def _unlock_data(token: str) -> tuple[User, str] | None:
    """The active user and nonce an unlock token carries, or None when it is bad or expired."""
    try:
        data = _serializer(UNLOCK).loads(token, max_age=current_app.config["UNLOCK_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not isinstance(data.get("n"), str):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        return None
    return user, data["n"]


def unlock_user(token: str) -> User | None:
    """The active user an unlock token was issued to (None when bad, expired or used); nothing changes."""
    found = _unlock_data(token)
    if found is None or not throttling.unlock_nonce_matches(throttling.account_key(found[0].email), found[1]):
        return None
    return found[0]


def use_unlock_token(token: str) -> User:
    """Lift the account-wide brake with an e-mailed token (once); the caller gives the browser a pass."""
    found = _unlock_data(token)
    if found is None or not throttling.use_unlock_nonce(throttling.account_key(found[0].email), found[1]):
        raise ValidationFailed(_("This link is invalid, expired or already used."))
    audit.record("auth.unlocked", actor=found[0], target=found[0])
    return found[0]


def end_sessions(user: User) -> None:
    """Rotate the session token: every cookie issued before now stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def sign_out(user: User) -> None:
    """Record the sign-out and end the user's sessions."""
    end_sessions(user)
    audit.record("auth.logout", actor=user, target=user)


def set_password(user: User, new_password: str, *, actor: Actor | None, reason: str) -> None:
    """Set a new password after checking the policy; ends the user's other sessions.

    ``actor`` is the person themselves (change, reset link), an admin or the system (CLI); the callers
    authorise (a known current password, a signed token, ``user.manage``); None only when nobody is known.
    """
    problems = password_problems(new_password, user.email)
    if problems:
        raise ValidationFailed(" ".join(problems), field="password")
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    audit.record("auth.password_changed", actor=actor, target=user, reason=reason)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in user changes their password, proving they know the current one."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise ValidationFailed(_("The current password is not correct."), field="current_password")
    if current_password == new_password:
        raise ValidationFailed(_("Choose a password different from the current one."), field="password")
    set_password(user, new_password, actor=user, reason="changed")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"cube.{purpose}")


def _password_fingerprint(user: User) -> str:
    # The token dies as soon as the password changes (which using it does).
    return hmac.new(
        current_app.config["SECRET_KEY"].encode(), (user.password_hash or "").encode(), "sha256"
    ).hexdigest()[:20]


def make_token(user: User, purpose: str = RESET) -> str:
    """A signed, expiring, single-use token for setting this user's password."""
    return _serializer(purpose).dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_token(token: str, purpose: str = RESET) -> User | None:
    """The active user the token was issued to, or None when it is bad, used or expired."""
    max_age = current_app.config["INVITE_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(data.get("pw", "")), _password_fingerprint(user)):
        return None
    return user


def send_reset_email(user: User, *, actor: Actor | None) -> None:
    """E-mail the user a link to choose a new password."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    send_email(
        user,
        _l("Reset your CUBE-PRO password"),
        "password_reset",
        user=user,
        token=make_token(user, RESET),
        minutes=max_age // 60,
        expires=_expiry(max_age),
    )
    audit.record("auth.reset_requested", actor=actor, target=user)


def send_invite_email(user: User, *, actor: Actor | None) -> None:
    """E-mail a new user a link to choose their first password."""
    max_age = current_app.config["INVITE_MAX_AGE"]
    send_email(
        user,
        _l("Your CUBE-PRO account"),
        "invite",
        user=user,
        token=make_token(user, INVITE),
        hours=max_age // 3600,
        expires=_expiry(max_age),
    )


def request_password_reset(email: str) -> None:
    """Send a reset link when an active account has this e-mail; say nothing otherwise."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.active:
        send_reset_email(user, actor=None)


def reset_password(token: str, new_password: str, purpose: str = RESET) -> User:
    """Use a reset or invite token to set a password."""
    user = user_for_token(token, purpose)
    if user is None:
        raise ValidationFailed(_("This link is invalid, expired or already used. Ask for a new one."))
    set_password(user, new_password, actor=user, reason=purpose)
    return user
