"""Views: roles and the permission matrix."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import REFUSED, act, save_form
from cube.forms import ConfirmForm
from cube.models import Role
from cube.permissions import PERMISSIONS, requires
from cube.users import roles as role_service
from cube.users.blueprint import bp
from cube.users.forms import RoleForm


def _matrix_page(all_roles: list[Role], matrix_form: ConfirmForm, role_form: RoleForm) -> str:
    """The permission matrix page with the add-a-role form."""
    return render_template(
        "users/roles.html", roles=all_roles, permissions=PERMISSIONS, form=matrix_form, role_form=role_form
    )


def _saved(changed: list[Role]) -> str:
    """What the matrix save says: the roles that changed, or that nothing did."""
    if not changed:
        return _("Nothing changed.")
    return _("Saved: %(roles)s.", roles=", ".join(r.name for r in changed))


@bp.route("/roles", methods=["GET", "POST"])
@requires("role.manage")
def roles() -> Response | str:
    """The permission matrix: which role holds which permission."""
    matrix_form, role_form = ConfirmForm(), RoleForm(prefix="role")
    all_roles = role_service.all_roles()
    if request.method == "POST" and matrix_form.validate_on_submit():
        wanted = {role.id: set(request.form.getlist(f"perm-{role.id}")) for role in all_roles}
        return act(
            lambda: role_service.set_permissions(current_user, wanted),
            success=_saved,
            redirect_to=url_for("users.roles"),
        )
    return _matrix_page(all_roles, matrix_form, role_form)


@bp.route("/roles/new", methods=["POST"])
@requires("role.manage")
def create_role() -> Response | tuple[str, int]:
    """Add a custom role."""
    form = RoleForm(prefix="role")
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: role_service.create_role(current_user, form.name.data or "", form.description.data or ""),
            success=lambda role: _("Role %(name)s added; tick its permissions below.", name=role.name),
            redirect_to=url_for("users.roles"),
        )
        if done is not None:
            return done
    return _matrix_page(role_service.all_roles(), ConfirmForm(), form), REFUSED
