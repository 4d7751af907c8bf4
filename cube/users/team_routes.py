"""Views: teams, their supervisors and members."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import save_form
from cube.extensions import db
from cube.forms import options
from cube.models import Team
from cube.permissions import requires
from cube.users import queries
from cube.users import teams as team_service
from cube.users.blueprint import bp
from cube.users.forms import TeamForm


@bp.route("/teams")
@requires("team.view")
def list_teams() -> str:
    """Teams with their supervisors and members."""
    return render_template("users/teams.html", teams=team_service.all_teams())


def _team_form(team: Team | None) -> TeamForm:
    """The team form with active people to choose from (members filled in when editing)."""
    form = TeamForm(obj=team)
    people = queries.active_people()
    form.supervisor_id.choices = options(((u.id, u.name) for u in people), blank=_("No supervisor"))
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
        done = save_form(
            form,
            lambda: team_service.save_team(current_user, team, data),
            success=lambda saved: _("Team %(name)s saved.", name=saved.name),
            redirect_to=url_for("users.list_teams"),
        )
        if done is not None:
            return done
    return render_template("users/team_form.html", form=form, team=team)
