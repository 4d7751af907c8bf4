"""User administration, roles and the permission matrix, teams, profile, audit log."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from cube.auth import services as auth
from cube.auth.forms import ChangePasswordForm
from cube.errors import DomainError
from cube.exports import csv_response
from cube.extensions import db
from cube.forms import ConfirmForm, options, show_error, strip_control_characters
from cube.models import AuditEvent, Team, User
from cube.pagination import page_of
from cube.permissions import PERMISSIONS, requires, signed_in
from cube.users import roles as role_service
from cube.users import services
from cube.users import teams as team_service
from cube.users.forms import ProfileForm, RoleForm, TeamForm, UserFilterForm, UserForm

bp = Blueprint("users", __name__)


def _filters_from_args() -> tuple[UserFilterForm, services.UserFilters]:
    form = UserFilterForm(request.args)
    form.role.choices = options(((r.id, r.name) for r in role_service.all_roles()), blank="Any role")
    form.team.choices = options(((t.id, t.name) for t in team_service.all_teams()), blank="Any team")
    form.validate()
    active = {"yes": True, "no": False}.get(form.active.data or "")
    filters = services.UserFilters(
        q=(form.q.data or "")[:100] if not form.q.errors else "",
        role_id=form.role.data,
        team_id=form.team.data,
        active=active,
    )
    return form, filters


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.role_id.choices = options((r.id, r.name) for r in role_service.all_roles())
    form.timezone.choices = options((name, name) for name in services.timezone_names())
    form.team_ids.choices = options((t.id, t.name) for t in team_service.all_teams())
    if user is not None and not form.is_submitted():
        form.team_ids.data = [team.id for team in user.teams]
    return form


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        email=form.email.data or "",
        name=form.name.data or "",
        role_id=form.role_id.data,
        phone=form.phone.data or "",
        timezone=form.timezone.data or "UTC",
        team_ids=tuple(form.team_ids.data or ()),
        hourly_rate=form.hourly_rate.data if form.hourly_rate.data is not None else Decimal("0"),
    )


@bp.route("/users")
@requires("user.view")
def list_users() -> str:
    """Search, filter and page through users."""
    form, filters = _filters_from_args()
    page = page_of(services.users_query(filters), per_page=current_app.config["USERS_PER_PAGE"])
    return render_template("users/list.html", form=form, page=page)


@bp.route("/users/export.csv")
@requires("user.export")
def export_users() -> Response:
    """Download the filtered user list as CSV."""
    _, filters = _filters_from_args()
    return csv_response(services.iter_export_rows(filters), "users.csv")


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
def create_user() -> Response | str:
    """Create a user, by default e-mailing them an invitation to set a password."""
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, _user_data(form), invite=bool(form.invite.data))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{user.name} was added." + (" An invitation is on its way." if form.invite.data else ""), "success")
            return redirect(url_for("users.show_user", user_id=user.id))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/users/<int:user_id>")
@requires("user.view")
def show_user(user_id: int) -> str:
    """A user's details, teams and recent audit events."""
    user = db.get_or_404(User, user_id)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "User", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id.desc())
        .limit(20)
    ).all()
    return render_template("users/detail.html", user=user, events=events, confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("user.manage")
def edit_user(user_id: int) -> Response | str:
    """Edit a user's details, role and teams."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    del form.invite
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, _user_data(form))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("users.show_user", user_id=user.id))
    return render_template("users/form.html", form=form, user=user)


def _user_action(user_id: int, action: str) -> Response:
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        handlers = {
            "deactivate": (services.deactivate_user, "{name} is deactivated and signed out."),
            "reactivate": (services.reactivate_user, "{name} can sign in again."),
            "send_reset": (services.send_password_reset, "A password-reset link was e-mailed to {name}."),
        }
        handler, message = handlers[action]
        try:
            handler(current_user, user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(message.format(name=user.name), "success")
    return redirect(url_for("users.show_user", user_id=user.id))


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


@bp.route("/roles", methods=["GET", "POST"])
@requires("role.manage")
def roles() -> Response | str:
    """The permission matrix: which role holds which permission."""
    matrix_form, role_form = ConfirmForm(), RoleForm(prefix="role")
    all_roles = role_service.all_roles()
    if request.method == "POST" and matrix_form.validate_on_submit():
        wanted = {role.id: set(request.form.getlist(f"perm-{role.id}")) for role in all_roles}
        try:
            changed = role_service.set_permissions(current_user, wanted)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"Saved: {', '.join(r.name for r in changed)}." if changed else "Nothing changed.", "success")
        return redirect(url_for("users.roles"))
    return render_template(
        "users/roles.html", roles=all_roles, permissions=PERMISSIONS, form=matrix_form, role_form=role_form
    )


@bp.route("/roles/new", methods=["POST"])
@requires("role.manage")
def create_role() -> Response | str:
    """Add a custom role."""
    form = RoleForm(prefix="role")
    if form.validate_on_submit():
        try:
            role = role_service.create_role(current_user, form.name.data or "", form.description.data or "")
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Role {role.name} added; tick its permissions below.", "success")
            return redirect(url_for("users.roles"))
    return render_template(
        "users/roles.html", roles=role_service.all_roles(), permissions=PERMISSIONS, form=ConfirmForm(), role_form=form
    ), 422


@bp.route("/teams")
@requires("team.view")
def list_teams() -> str:
    """Teams with their supervisors and members."""
    return render_template("users/teams.html", teams=team_service.all_teams())


def _team_form(team: Team | None) -> TeamForm:
    form = TeamForm(obj=team)
    people = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    form.supervisor_id.choices = options(((u.id, u.name) for u in people), blank="No supervisor")
    form.member_ids.choices = options((u.id, u.name) for u in people)
    if team is not None and not form.is_submitted():
        form.member_ids.data = [member.id for member in team.members]
    return form


@bp.route("/teams/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@requires("team.manage")
def edit_team(team_id: int | None) -> Response | str:
    """Create or edit a team."""
    team = db.get_or_404(Team, team_id) if team_id is not None else None
    form = _team_form(team)
    if form.validate_on_submit():
        data = team_service.TeamData(
            name=form.name.data or "",
            description=form.description.data or "",
            supervisor_id=form.supervisor_id.data,
            member_ids=tuple(form.member_ids.data or ()),
            active=bool(form.active.data),
        )
        try:
            team = team_service.save_team(current_user, team, data)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Team {team.name} saved.", "success")
            return redirect(url_for("users.list_teams"))
    return render_template("users/team_form.html", form=form, team=team)


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile() -> Response | str:
    """Your own name, phone and time zone, and a password change."""
    form = ProfileForm(obj=current_user, prefix="profile")
    form.timezone.choices = options((name, name) for name in services.timezone_names())
    password_form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        data = services.ProfileData(form.name.data or "", form.phone.data or "", form.timezone.data or "UTC")
        try:
            services.update_profile(current_user, data)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("users.profile"))
    return render_template("users/profile.html", form=form, password_form=password_form)


@bp.route("/profile/password", methods=["POST"])
@signed_in
def change_password() -> Response | str:
    """Change your password; your other sessions are signed out."""
    form = ProfileForm(obj=current_user, prefix="profile")
    form.timezone.choices = options((name, name) for name in services.timezone_names())
    password_form = ChangePasswordForm(prefix="password")
    if password_form.validate_on_submit():
        try:
            auth.change_password(
                current_user, password_form.current_password.data or "", password_form.password.data or ""
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(password_form, exc)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session continues with the new token
            flash("Password changed. Your other sessions were signed out.", "success")
            return redirect(url_for("users.profile"))
    return render_template("users/profile.html", form=form, password_form=password_form), 422


@bp.route("/audit")
@requires("audit.view")
def audit_log() -> str:
    """The audit trail, newest first."""
    action = strip_control_characters(request.args.get("action", "")).strip()[:64]
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    page = page_of(query, per_page=50)
    return render_template("users/audit.html", page=page, action=action)
