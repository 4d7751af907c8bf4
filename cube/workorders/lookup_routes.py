"""Views: the look-ups the work order pickers search as people type (people, companies, assets).

Each answers what its form accepts (``cube.workorders.forms`` names the same service functions), at most
``cube.lookups.LOOKUP_LIMIT`` options by name; ``ids=`` names chosen values again.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.lookup_answers import answer
from cube.permissions import requires, signed_in
from cube.workorders import assignees, choices
from cube.workorders.blueprint import bp


@bp.route("/lookup/workers")
@signed_in
def lookup_workers() -> Response:
    """People who may do work, under their team: the assignee pickers and the list's assignee filter (for those
    who see work beyond their own)."""
    if not assignees.may_list_workers(current_user):
        abort(403)
    return answer(assignees.find_workers, assignees.workers_among)


@bp.route("/lookup/people")
@requires("workorder.assign")
def lookup_people() -> Response:
    """Active people: the requester and supervisor pickers (only those who may set them)."""
    return answer(choices.find_people, choices.people_among)


@bp.route("/lookup/companies")
@signed_in
def lookup_companies() -> Response:
    """Companies: the work order form's company and the list's company filter."""
    return answer(choices.find_companies, choices.companies_among)


@bp.route("/lookup/assets")
@signed_in
def lookup_assets() -> Response:
    """Assets by serial number, product or location: the work order form's asset (for those who fill it in)."""
    if not choices.may_choose_assets(current_user):
        abort(403)
    return answer(choices.find_assets, choices.assets_among)
