"""Views: the work order list, detail page, create/edit, transitions, comments, assignment."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from cube.auth.redirects import is_local_path
from cube.errors import DomainError, ValidationFailed
from cube.extensions import db
from cube.forms import options, show_error
from cube.models import (
    Asset,
    Comment,
    Company,
    Priority,
    Status,
    Team,
    User,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderType,
)
from cube.pagination import window
from cube.parsing import optional_int
from cube.permissions import can, requires, signed_in
from cube.products.catalog import product_by_sku
from cube.products.forms import location_options
from cube.timezones import as_utc
from cube.workflow import engine
from cube.workorders import services
from cube.workorders.forms import AssignForm, CommentForm, TransitionForm, WorkOrderFilterForm, WorkOrderForm
from cube.workorders.queries import WorkOrderFilters, work_order_list

bp = Blueprint("workorders", __name__, url_prefix="/work-orders")


def _people() -> list[tuple[int, str]]:
    return list(db.session.execute(select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)).all())


def _named(model: type, order: object) -> list[tuple[int, str]]:
    return list(db.session.execute(select(model.id, model.name).order_by(order)).all())


def list_filters() -> tuple[WorkOrderFilterForm, WorkOrderFilters]:
    """The list filters from the query string (unknown values are ignored)."""
    form = WorkOrderFilterForm(request.args)
    form.status.choices = options(_named(Status, Status.position), blank="Any status")
    form.priority.choices = options(_named(Priority, Priority.position), blank="Any priority")
    form.type.choices = options(_named(WorkOrderType, WorkOrderType.name), blank="Any type")
    form.assignee.choices = options(_people(), blank="Anyone")
    form.team.choices = options(_named(Team, Team.name), blank="Any team")
    form.company.choices = options(_named(Company, Company.name), blank="Any company")
    form.validate()

    def valid(field: object) -> object:
        return None if getattr(field, "errors", None) else getattr(field, "data", None)

    filters = WorkOrderFilters(
        q=valid(form.q) or "",
        view=form.view.data or "",
        status_id=form.status.data,
        category=form.category.data or "",
        priority_id=form.priority.data,
        type_id=form.type.data,
        assignee_id=form.assignee.data,
        team_id=form.team.data,
        company_id=form.company.data,
        product_id=optional_int(form.product.data),
        asset_id=optional_int(form.asset.data),
        due_from=valid(form.due_from),
        due_to=valid(form.due_to),
        created_from=valid(form.created_from),
        created_to=valid(form.created_to),
        sort=form.sort.data or "-created",
    )
    return form, filters


@bp.route("")
@signed_in
def list_work_orders() -> str:
    """Work orders the user may see, filtered, searched and sorted; filters live in the URL."""
    form, filters = list_filters()
    page = window(work_order_list(current_user, filters))
    # Quick actions (start, pause, complete) on "My work": the transitions each row's status allows.
    actions = (
        engine.available_by_status(current_user, {wo.status_id for wo in page.items}) if filters.view == "my" else {}
    )
    return render_template("workorders/list.html", form=form, page=page, actions=actions)


def _form(work_order: WorkOrder | None) -> WorkOrderForm:
    form = WorkOrderForm(obj=work_order)
    people = _people()
    form.type_id.choices = options(
        db.session.execute(select(WorkOrderType.id, WorkOrderType.name).where(WorkOrderType.active.is_(True))).all()
    )
    form.priority_id.choices = options(
        db.session.execute(
            select(Priority.id, Priority.name).where(Priority.active.is_(True)).order_by(Priority.position)
        ).all()
    )
    form.team_id.choices = options(_named(Team, Team.name), blank="No team")
    form.assignee_ids.choices = options(people)
    form.supervisor_id.choices = options(people, blank="No supervisor")
    form.requester_id.choices = options(people, blank="Me")
    form.company_id.choices = options(_named(Company, Company.name), blank="No company")
    form.location_id.choices = location_options(blank="No location")
    form.asset_id.choices = options(
        db.session.execute(select(Asset.id, Asset.serial_number).order_by(Asset.serial_number).limit(500)).all(),
        blank="No asset",
    )
    if not form.is_submitted():
        if work_order is None:
            default = db.session.scalar(select(Priority.id).where(Priority.is_default.is_(True)))
            form.priority_id.data = default
            form.submission_key.data = secrets.token_hex(16)
            form.asset_id.data = optional_int(request.args.get("asset"))
        else:
            form.version.data = str(work_order.version)
            form.assignee_ids.data = [u.id for u in work_order.assignees]
            form.product_sku.data = work_order.product.sku if work_order.product else ""
    return form


def _data(form: WorkOrderForm) -> services.WorkOrderData:
    product_id = None
    if (form.product_sku.data or "").strip():
        product = product_by_sku(form.product_sku.data or "")
        if product is None:
            raise ValidationFailed("No product has this SKU.", field="product_sku")
        product_id = product.id
    custom = {key[7:]: value for key, value in request.form.items() if key.startswith("custom_")}
    return services.WorkOrderData(
        title=form.title.data or "",
        description=form.description.data or "",
        type_id=form.type_id.data or 0,
        priority_id=form.priority_id.data or 0,
        requester_id=form.requester_id.data,
        team_id=form.team_id.data,
        supervisor_id=form.supervisor_id.data,
        company_id=form.company_id.data,
        product_id=product_id,
        asset_id=form.asset_id.data,
        location_id=form.location_id.data,
        due_at=_as_utc(form.due_at.data),
        planned_start=_as_utc(form.planned_start.data),
        estimated_hours=form.estimated_hours.data,
        estimated_cost=form.estimated_cost.data,
        custom_values=custom,
    )


def _as_utc(value: datetime | None) -> datetime | None:
    """A date and time typed in the user's zone, made timezone-aware."""
    return as_utc(value, current_user)


@bp.route("/new", methods=["GET", "POST"])
@requires("workorder.create")
def create_work_order() -> Response | str:
    """Open a new work order (posting the same form twice creates one)."""
    form = _form(None)
    if form.validate_on_submit():
        try:
            assignees = tuple(form.assignee_ids.data or ()) if can("workorder.assign") else ()
            work_order = services.create_work_order(
                current_user, _data(form), assignee_ids=assignees, submission_key=form.submission_key.data or None
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{work_order.number} created.", "success")
            return redirect(url_for("workorders.show_work_order", work_order_id=work_order.id))
    return render_template("workorders/form.html", form=form, work_order=None)


@bp.route("/<int:work_order_id>/edit", methods=["GET", "POST"])
@requires("workorder.edit")
def edit_work_order(work_order_id: int) -> Response | str:
    """Edit a work order's details (a stale edit gets a 409 showing what changed)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = _form(work_order)
    del form.assignee_ids
    if form.validate_on_submit():
        version = (form.version.data or "").strip()
        try:
            services.update_work_order(
                current_user, work_order, _data(form), expected_version=int(version) if version.isdigit() else None
            )
        except DomainError as exc:
            if exc.status_code == 409:
                raise
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("workorders.show_work_order", work_order_id=work_order.id))
    return render_template("workorders/form.html", form=form, work_order=work_order)


def timeline(work_order: WorkOrder) -> list[WorkOrderEvent]:
    """Every event of the work order, oldest first (comments, status, assignment, time, parts, edits)."""
    query = (
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == work_order.id)
        .options(selectinload(WorkOrderEvent.actor))
        .order_by(WorkOrderEvent.id)
    )
    return list(db.session.scalars(query))


@bp.route("/<int:work_order_id>")
@signed_in
def show_work_order(work_order_id: int) -> str:
    """Everything about a work order and one timeline of what happened."""
    work_order = services.get_visible(current_user, work_order_id)
    comments = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.work_order_id == work_order.id))}
    assign_form = None
    if can("workorder.assign"):
        assign_form = AssignForm(prefix="assign")
        assign_form.assignee_ids.choices = options(_people())
        assign_form.team_id.choices = options(_named(Team, Team.name), blank="No team")
        assign_form.assignee_ids.data = [u.id for u in work_order.assignees]
        assign_form.team_id.data = work_order.team_id
    return render_template(
        "workorders/detail.html",
        work_order=work_order,
        transitions=engine.available_transitions(current_user, work_order),
        transition_form=TransitionForm(),
        comment_form=CommentForm(prefix="comment"),
        assign_form=assign_form,
        events=timeline(work_order),
        comments=comments,
    )


@bp.route("/<int:work_order_id>/transition", methods=["POST"])
@signed_in
def transition(work_order_id: int) -> Response:
    """Move the work order to another status (the same checks as the board)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = TransitionForm()
    transition_id = optional_int(form.transition_id.data)
    if not form.validate_on_submit() or transition_id is None:
        abort(400)
    try:
        status = engine.apply_transition(current_user, work_order, transition_id, form.reason.data or "")
    except DomainError as exc:
        if not is_local_path(request.form.get("next")) or exc.status_code == 403:
            raise  # a direct request gets the error status; the board goes back with a message
        db.session.rollback()
        flash(f"{work_order.number}: {exc.message}", "danger")
        return redirect(_back(work_order))
    db.session.commit()
    flash(f"{work_order.number} is now {status.name}.", "success")
    return redirect(_back(work_order))


def _back(work_order: WorkOrder) -> str:
    target = request.form.get("next", "")
    return target if is_local_path(target) else url_for("workorders.show_work_order", work_order_id=work_order.id)


@bp.route("/<int:work_order_id>/comments", methods=["POST"])
@signed_in
def add_comment(work_order_id: int) -> Response:
    """Post a comment (mentions with @name or @e-mail)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = CommentForm(prefix="comment")
    if form.validate_on_submit():
        services.add_comment(current_user, work_order, form.body.data or "")
        db.session.commit()
        flash("Comment added.", "success")
    else:
        flash("Write a comment first (at most 16,000 characters).", "danger")
    return redirect(url_for("workorders.show_work_order", work_order_id=work_order.id) + "#timeline")


@bp.route("/<int:work_order_id>/archive", methods=["POST"])
@requires("workorder.edit")
def archive(work_order_id: int) -> Response:
    """Take the work order out of every list; it is kept, never deleted."""
    work_order = services.get_visible(current_user, work_order_id)
    services.archive(current_user, work_order)
    db.session.commit()
    flash(f"{work_order.number} is archived.", "success")
    return redirect(url_for("workorders.list_work_orders"))


@bp.route("/<int:work_order_id>/assign", methods=["POST"])
@requires("workorder.assign")
def assign(work_order_id: int) -> Response:
    """Set who works on it and which team owns it."""
    work_order = services.get_visible(current_user, work_order_id)
    form = AssignForm(prefix="assign")
    form.assignee_ids.choices = options(_people())
    form.team_id.choices = options(_named(Team, Team.name), blank="No team")
    if form.validate_on_submit():
        services.assign(current_user, work_order, tuple(form.assignee_ids.data or ()), team_id=form.team_id.data)
        db.session.commit()
        flash("Assignment saved.", "success")
    else:
        flash("Choose people and a team from the lists.", "danger")
    return redirect(url_for("workorders.show_work_order", work_order_id=work_order.id))


# Views for the parts of a work order live in their own modules, added to ``bp``.
from cube.workorders import board_routes, file_routes, work_routes  # noqa: E402, F401
