"""Sign in, sign out, forgotten and first passwords."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from cube.auth import services
from cube.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from cube.auth.redirects import safe_next
from cube.errors import TooManyAttempts, ValidationFailed
from cube.extensions import db, limiter
from cube.permissions import public, signed_in

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def reset_rate_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_rate_limit, methods=["POST"])
def login() -> Response | str:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data or "", form.password.data or "")
        except TooManyAttempts as exc:
            db.session.commit()
            error, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        except ValidationFailed as exc:
            db.session.commit()  # keep the failure count
            error = exc.message
        else:
            db.session.commit()
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next(form.next.data))
    page = render_template("auth/login.html", form=form, error=error)
    return make_response(page, status, headers)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    """Sign out everywhere: the session token is rotated so old cookies stop working."""
    services.sign_out(current_user)
    db.session.commit()
    logout_user()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(reset_rate_limit, methods=["POST"])
def forgot_password() -> Response | str:
    """Ask for a password-reset e-mail (the answer never says whether the account exists)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        db.session.commit()
        flash("If an account uses that address, a reset link is on its way. It works for one hour.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"], defaults={"purpose": services.RESET})
@bp.route("/welcome/<token>", methods=["GET", "POST"], defaults={"purpose": services.INVITE})
@public
def reset_password(token: str, purpose: str) -> Response | str:
    """Choose a new password from an e-mailed link (reset or invitation)."""
    if services.user_for_token(token, purpose) is None:
        flash("This link is invalid, expired or already used. Ask for a new one below.", "danger")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data or "", purpose)
        except ValidationFailed as exc:
            db.session.rollback()
            form.password.errors = [exc.message]
        else:
            db.session.commit()
            logout_user()
            flash("Your password is saved. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, purpose=purpose)
