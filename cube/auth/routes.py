"""Sign in, sign out, forgotten and first passwords."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from cube.auth import services
from cube.auth.blueprint import bp
from cube.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from cube.auth.redirects import safe_next
from cube.edge import act, save_form
from cube.errors import TooManyAttempts, ValidationFailed
from cube.extensions import db, limiter
from cube.forms import ConfirmForm
from cube.models import User
from cube.permissions import public, signed_in
from cube.sessions import start_session

# A browser that signed in to (or unlocked) an account carries this pass; the account-wide brake lets it through.
DEVICE_COOKIE = "cube_device"


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
        email = form.email.data or ""
        # Not through cube.edge: a refused sign-in commits (the failure count and any unlock mail stay).
        try:
            user = services.authenticate(
                email,
                form.password.data or "",
                address=request.remote_addr or "",
                device=request.cookies.get(DEVICE_COOKIE),
            )
        except TooManyAttempts as exc:
            db.session.commit()
            error, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        except ValidationFailed as exc:
            db.session.commit()  # keep the failure count (and any unlock mail)
            error = exc.message
        else:
            db.session.commit()
            start_session(user, remember=bool(form.remember.data))
            response = redirect(safe_next(form.next.data))
            _give_device_pass(response, email)
            return response
    page = render_template("auth/login.html", form=form, error=error)
    return make_response(page, status, headers)


def _give_device_pass(response: Response, email: str) -> None:
    """Remember on this browser that it may sign in to this account past the brake."""
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        services.device_token(email),
        max_age=config["SIGN_IN_DEVICE_DAYS"] * 86400,
        path=url_for("auth.login"),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",  # i18n: not shown (cookie attribute)
    )


@bp.route("/unlock/<token>", methods=["GET", "POST"])
@public
def unlock(token: str) -> Response | str:
    """Let this browser past the account-wide sign-in brake with the e-mailed link (single use)."""
    if services.unlock_user(token) is None:
        flash(_("This link is invalid, expired or already used."), "danger")
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    if form.validate_on_submit():
        unlocked: list[User] = []  # filled only when the token was used (act then commits)

        def use() -> User:
            user = services.use_unlock_token(token)
            unlocked.append(user)
            return user

        response = act(
            use,
            success=_("Sign-in is open again for this browser. Sign in with your password."),
            redirect_to=url_for("auth.login"),
        )
        if unlocked:
            _give_device_pass(response, unlocked[0].email)
        return response
    return render_template("auth/unlock.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    """Sign out everywhere: the session token is rotated so old cookies stop working."""
    services.sign_out(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "info")
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
        flash(_("If an account uses that address, a reset link is on its way. It works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"], defaults={"purpose": services.RESET})
@bp.route("/welcome/<token>", methods=["GET", "POST"], defaults={"purpose": services.INVITE})
@public
def reset_password(token: str, purpose: str) -> Response | str:
    """Choose a new password from an e-mailed link (reset or invitation)."""
    if services.user_for_token(token, purpose) is None:
        flash(_("This link is invalid, expired or already used. Ask for a new one below."), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        saved = save_form(
            form,
            lambda: services.reset_password(token, form.password.data or "", purpose),
            success=_("Your password is saved. Sign in with it now."),
            redirect_to=url_for("auth.login"),
        )
        if saved is not None:
            logout_user()
            return saved
    return render_template("auth/reset.html", form=form, purpose=purpose)
