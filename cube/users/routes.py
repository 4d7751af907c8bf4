"""Views: user administration, your own profile and the audit log."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from cube import audit_log as audit_text
from cube.auth import services as auth
from cube.auth.forms import ChangePasswordForm
from cube.edge import REFUSED, act, save_form
from cube.exports import csv_response
from cube.extensions import db
from cube.forms import ConfirmForm, options
from cube.i18n import language_options, refresh_language
from cube.models import User
from cube.pagination import page_of, window
from cube.permissions import requires, signed_in
from cube.site_settings import default_timezone
from cube.users import queries, services
from cube.users import roles as role_service
from cube.users import teams as team_service
from cube.users.blueprint import bp
from cube.users.forms import ProfileForm, UserFilterForm, UserForm
from cube.users.zone_picker import offer_zones

AUDIT_PER_PAGE = 50


def _filters_from_args() -> tuple[UserFilterForm, queries.UserFilters]:
    form = UserFilterForm(request.args)
    form.role.choices = options(((r.id, r.name) for r in role_service.all_roles()), blank=_("Any role"))
    form.team.choices = options(((t.id, t.name) for t in team_service.all_teams()), blank=_("Any team"))
    form.validate()
    active = {"yes": True, "no": False}.get(form.active.data or "")
    filters = queries.UserFilters(
        q=(form.q.data or "")[:100] if not form.q.errors else "",
        role_id=form.role.data,
        team_id=form.team.data,
        active=active,
    )
    return form, filters


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    # A new person's role is chosen on purpose: no role is picked in advance (the first in the list was admin).
    roles_offered = ((r.id, r.name) for r in role_service.all_roles())
    form.role_id.choices = options(roles_offered, blank=_("Choose a role") if user is None else None)
    offer_zones(form.timezone)
    form.language.choices = language_options(for_self=False)
    form.team_ids.choices = options((t.id, t.name) for t in team_service.all_teams())
    if user is not None and not form.is_submitted():
        form.team_ids.data = [team.id for team in user.teams]
    if user is None and not form.is_submitted():
        form.timezone.data = default_timezone()
    return form


COSTS = "workorder.view_costs"  # who may see (and so set) hourly rates


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        email=form.email.data or "",
        name=form.name.data or "",
        role_id=form.role_id.data,
        phone=form.phone.data or "",
        timezone=form.timezone.data or "",
        language=form.language.data or "",
        team_ids=tuple(form.team_ids.data or ()),
        # Only those who may see costs see the rate field; for anyone else the rate is left as it is.
        hourly_rate=(form.hourly_rate.data or Decimal("0"))
        if current_user.has_permission("workorder.view_costs")
        else None,
    )


@bp.route("/users")
@requires("user.view")
def list_users() -> str:
    """Search, filter and page through users."""
    form, filters = _filters_from_args()
    page = page_of(queries.users_query(filters), per_page=current_app.config["USERS_PER_PAGE"])
    return render_template("users/list.html", form=form, page=page)


@bp.route("/users/export.csv")
@requires("user.export")
def export_users() -> Response:
    """Download the filtered user list as CSV."""
    _, filters = _filters_from_args()
    return csv_response(queries.iter_export_rows(filters), "users.csv")


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
def create_user() -> Response | str:
    """Create a user, by default e-mailing them an invitation to set a password."""
    form = _user_form()
    if form.validate_on_submit():
        invite = bool(form.invite.data)
        done = save_form(
            form,
            lambda: services.create_user(current_user, _user_data(form), invite=invite),
            success=lambda user: (
                _("%(name)s was added. An invitation is on its way.", name=user.name)
                if invite
                else _("%(name)s was added.", name=user.name)
            ),
            redirect_to=lambda user: url_for("users.show_user", user_id=user.id),
        )
        if done is not None:
            return done
    return render_template("users/form.html", form=form, user=None)


@bp.route("/users/<int:user_id>")
@requires("user.view")
def show_user(user_id: int) -> str:
    """A user's details, teams and recent audit events."""
    user = db.get_or_404(User, user_id)
    events = audit_text.entries(queries.recent_events_about(user), current_user)
    return render_template("users/detail.html", user=user, events=events, confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("user.manage")
def edit_user(user_id: int) -> Response | str:
    """Edit a user's details, role and teams."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    del form.invite
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.update_user(current_user, user, _user_data(form)),
            success=_l("Changes saved."),
            redirect_to=url_for("users.show_user", user_id=user.id),
        )
        if done is not None:
            return done
    return render_template("users/form.html", form=form, user=user)


# What each button on a user's page does, and what it says when done.
USER_ACTIONS = {
    "deactivate": (services.deactivate_user, lambda name: _("%(name)s is deactivated and signed out.", name=name)),
    "reactivate": (services.reactivate_user, lambda name: _("%(name)s can sign in again.", name=name)),
    "send_reset": (
        services.send_password_reset,
        lambda name: _("A password-reset link was e-mailed to %(name)s.", name=name),
    ),
}


def _user_action(user_id: int, action: str) -> Response:
    """Run one of ``USER_ACTIONS`` on a user from its confirm button."""
    user = db.get_or_404(User, user_id)
    back = url_for("users.show_user", user_id=user.id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    handler, message = USER_ACTIONS[action]
    return act(lambda: handler(current_user, user), success=message(user.name), redirect_to=back)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires("user.manage")
def deactivate_user(user_id: int) -> Response:
    """Deactivate a user and end their sessions."""
    return _user_action(user_id, "deactivate")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires("user.manage")
def reactivate_user(user_id: int) -> Response:
    """Reactivate a user."""
    return _user_action(user_id, "reactivate")


@bp.route("/users/<int:user_id>/send-reset", methods=["POST"])
@requires("user.manage")
def send_reset(user_id: int) -> Response:
    """E-mail a user a password-reset link."""
    return _user_action(user_id, "send_reset")


def _profile_forms() -> tuple[ProfileForm, ChangePasswordForm]:
    """The profile form (filled from the signed-in person) and the password form."""
    form = ProfileForm(obj=current_user, prefix="profile")
    offer_zones(form.timezone)
    form.language.choices = language_options()
    return form, ChangePasswordForm(prefix="password")


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile() -> Response | str:
    """Your own name, phone and time zone, and a password change."""
    form, password_form = _profile_forms()
    if form.validate_on_submit():
        data = services.ProfileData(
            form.name.data or "", form.phone.data or "", form.timezone.data or "UTC", form.language.data or ""
        )

        def save() -> None:
            """Save the profile; the confirmation already speaks the language just chosen."""
            services.update_profile(current_user, data)
            refresh_language()

        done = save_form(
            form,
            save,
            success=_l("Profile saved."),
            redirect_to=url_for("users.profile"),
        )
        if done is not None:
            return done
    return render_template("users/profile.html", form=form, password_form=password_form)


@bp.route("/profile/password", methods=["POST"])
@signed_in
def change_password() -> Response | tuple[str, int]:
    """Change your password; your other sessions are signed out."""
    form, password_form = _profile_forms()

    def change() -> None:
        """Change the password and keep this session signed in with the new token."""
        auth.change_password(current_user, password_form.current_password.data or "", password_form.password.data or "")
        login_user(current_user._get_current_object())  # this session continues with the new token

    if password_form.validate_on_submit():
        done = save_form(
            password_form,
            change,
            success=_l("Password changed. Your other sessions were signed out."),
            redirect_to=url_for("users.profile"),
        )
        if done is not None:
            return done
    return render_template("users/profile.html", form=form, password_form=password_form), REFUSED


@bp.route("/audit")
@requires("audit.view")
def audit_log() -> str:
    """The audit trail in words, newest first, optionally one group of actions (paged without counting it)."""
    group = request.args.get("group", "")
    group = group if group in audit_text.GROUPS else ""
    page = window(queries.audit_query(group), per_page=AUDIT_PER_PAGE)
    page.items = audit_text.entries(page.items, current_user)
    return render_template("users/audit.html", page=page, group=group, groups=audit_text.GROUPS)
