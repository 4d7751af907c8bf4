"""Views: the work order list, detail page, create/edit, transitions, comments, assignment, archiving."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from cube import editing
from cube.auth.redirects import is_local_path
from cube.edge import act, save_form
from cube.forms import options
from cube.i18n import number
from cube.models import Status, WorkOrder
from cube.pagination import window
from cube.parsing import optional_int
from cube.permissions import can, requires, signed_in
from cube.products.assets import location_paths
from cube.products.forms import location_options
from cube.timezones import as_utc, zone_of
from cube.workflow import engine, settings
from cube.workorders import assignees, choices, custom_values, mentions, services, timeline
from cube.workorders.blueprint import bp
from cube.workorders.forms import AssignForm, CommentForm, TransitionForm, WorkOrderForm, work_order_form
from cube.workorders.listing import list_filters
from cube.workorders.pages import detail_at
from cube.workorders.panels import bulk_choices
from cube.workorders.queries import LIST_COLUMNS, work_order_list
from cube.workorders.rows import list_rows


@bp.route("")
@signed_in
def list_work_orders() -> str:
    """Work orders the user may see, filtered, searched and sorted; filters live in the URL."""
    offered = choices.list_choices()  # the filters' options and the bulk form's, read once
    form, filters = list_filters(offered)
    page = window(work_order_list(current_user, filters).options(LIST_COLUMNS))
    # Quick actions (start, pause, complete) on "My work": the transitions each row's status allows.
    actions = (
        engine.available_by_status(current_user, {wo.status_id for wo in page.items}) if filters.view == "my" else {}
    )
    bulk_options = bulk_choices(offered) if page.items else None
    return render_template(
        "workorders/list.html", form=form, page=page, rows=list_rows(page.items), actions=actions, bulk=bulk_options
    )


def _form(work_order: WorkOrder | None) -> WorkOrderForm:
    """The create/edit form with its options; fields the person may not set are left off."""
    form = work_order_form(settings.active_custom_fields(), obj=work_order)
    form.drop(name for name in services.FIELD_PERMISSIONS if not services.may_set_field(current_user, name))
    form.type_id.choices = options(choices.types(active_only=True))
    form.priority_id.choices = options(choices.priorities(active_only=True))
    if "team_id" in form:
        form.team_id.choices = options(choices.teams(), blank=_("No team"))
    form.location_id.choices = location_options(blank=_("No location"))
    if not form.is_submitted():
        if work_order is None:
            form.priority_id.data = choices.default_priority_id()
            form.submission_key.data = secrets.token_hex(16)
            form.asset_id.data = optional_int(request.args.get("asset"))
        else:
            form.version.data = str(work_order.version)
            form.opened.data = editing.seal(services.edit_snapshot(work_order))
            form.due_at.data = _local(work_order.due_at)
            form.planned_start.data = _local(work_order.planned_start)
            if "assignee_ids" in form:
                form.assignee_ids.data = [u.id for u in work_order.assignees]
            form.product_sku.data = work_order.product.sku if work_order.product else ""
            stored = work_order.custom_values or {}
            for field in form.custom_fields():
                value = stored.get(field.name.removeprefix("custom_"))
                field.data = "" if value is None else str(value)
    return form


def _value(form: WorkOrderForm, name: str) -> object:
    """A field's value, or None when the field is not on this person's form."""
    return form[name].data if name in form else None


def _data(form: WorkOrderForm) -> services.WorkOrderData:
    """The service's input from a validated form (the SKU is looked up by the service)."""
    return services.WorkOrderData(
        title=form.title.data or "",
        description=form.description.data or "",
        type_id=form.type_id.data or 0,
        priority_id=form.priority_id.data or 0,
        requester_id=_value(form, "requester_id"),  # type: ignore[arg-type]
        team_id=_value(form, "team_id"),  # type: ignore[arg-type]
        supervisor_id=_value(form, "supervisor_id"),  # type: ignore[arg-type]
        company_id=form.company_id.data,
        product_id=services.product_id_for_sku(form.product_sku.data),
        asset_id=form.asset_id.data,
        location_id=form.location_id.data,
        due_at=as_utc(form.due_at.data, current_user),
        planned_start=as_utc(form.planned_start.data, current_user),
        estimated_hours=form.estimated_hours.data,
        estimated_cost=_value(form, "estimated_cost"),  # type: ignore[arg-type]
        custom_values=form.custom_values(),
    )


def _local(value: datetime | None) -> datetime | None:
    """A stored (UTC) time as the person reads and types it: in their zone, naive for the datetime-local input."""
    return None if value is None else value.astimezone(zone_of(current_user)).replace(tzinfo=None)


def _detail(work_order: WorkOrder, anchor: str = "") -> str:
    """The work order's page (at ``anchor``)."""
    return detail_at(work_order.id, anchor)


@bp.route("/new", methods=["GET", "POST"])
@requires("workorder.create")
def create_work_order() -> Response | str:
    """Open a new work order (posting the same form twice creates one)."""
    form = _form(None)
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.create_work_order(
                current_user,
                _data(form),
                assignee_ids=assignees.unique_ids(_value(form, "assignee_ids") or ()),  # type: ignore[arg-type]
                submission_key=form.submission_key.data or None,
            ),
            success=_created,
            redirect_to=_detail,
        )
        if done is not None:
            return done
    return render_template("workorders/form.html", form=form, work_order=None)


@bp.route("/<int:work_order_id>/edit", methods=["GET", "POST"])
@requires("workorder.edit")
def edit_work_order(work_order_id: int) -> Response | str:
    """Edit a work order's details (a stale edit gets a 409 showing what changed)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = _form(work_order)
    form.drop(["assignee_ids"])
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: services.update_work_order(
                current_user,
                work_order,
                _data(form),
                expected_version=optional_int(form.version.data),
                opened=editing.unseal(form.opened.data),
            ),
            success=_("Changes saved."),
            redirect_to=_detail(work_order),
        )
        if done is not None:
            return done
    return render_template("workorders/form.html", form=form, work_order=work_order)


@bp.route("/<int:work_order_id>")
@signed_in
def show_work_order(work_order_id: int) -> str:
    """Everything about a work order and one timeline of what happened."""
    work_order = services.get_visible(current_user, work_order_id)
    assign_form = None
    if can("workorder.assign"):
        assign_form = _assign_form()
        assign_form.assignee_ids.data = [u.id for u in work_order.assignees]
        assign_form.team_id.data = work_order.team_id
        offered = {choice.value for choice in assign_form.assignee_ids.choices}
        gone = [u for u in work_order.assignees if u.id not in offered]
        # Shown, so that saving does not drop them unseen; saving with them is refused with a message.
        no_longer = _("Assigned, but no longer able to do work")
        assign_form.assignee_ids.kept = [SelectChoice(u.id, u.name, optgroup=no_longer) for u in gone]
    paths = location_paths({work_order.location_id}) if work_order.location_id else {}  # one query, however deep
    return render_template(
        "workorders/detail.html",
        work_order=work_order,
        transitions=engine.available_transitions(current_user, work_order),
        transition_form=TransitionForm(),
        comment_form=CommentForm(prefix="comment"),
        assign_form=assign_form,
        timeline=timeline.timeline(work_order, current_user),
        mentioned=mentions.mentioned_in(work_order),
        custom_values=custom_values.labelled(work_order.custom_values),
        location_path=paths.get(work_order.location_id),
    )


@bp.route("/<int:work_order_id>/transition", methods=["POST"])
@signed_in
def transition(work_order_id: int) -> Response:
    """Move the work order to another status (the same checks as the board).

    From a page (a local ``next``) a refusal goes back there with a message; a direct request gets
    the error status.
    """
    work_order = services.get_visible(current_user, work_order_id)
    form = TransitionForm()
    transition_id = optional_int(form.transition_id.data)
    if not form.validate_on_submit() or transition_id is None:
        abort(400)

    def move() -> object:
        return engine.apply_transition(current_user, work_order, transition_id, form.reason.data or "")

    def moved(status: object) -> str:
        return _("%(number)s is now %(status)s.", number=work_order.number, status=status.name)  # type: ignore[attr-defined]

    from_page = is_local_path(request.form.get("next"))
    return act(
        move, success=moved, redirect_to=_back(work_order), prefix=f"{work_order.number}: ", raise_refusal=not from_page
    )


def _back(work_order: WorkOrder) -> str:
    """Where a transition returns: the local page it came from, or the work order."""
    target = request.form.get("next", "")
    return target if is_local_path(target) else _detail(work_order)


@bp.route("/<int:work_order_id>/comments", methods=["POST"])
@signed_in
def add_comment(work_order_id: int) -> Response:
    """Post a comment (mentions with @name or @e-mail)."""
    work_order = services.get_visible(current_user, work_order_id)
    form = CommentForm(prefix="comment")
    back = _detail(work_order, "timeline")
    if not form.validate_on_submit():
        flash(_("Write a comment first (at most %(limit)s characters).", limit=number(16000)), "danger")
        return redirect(back)
    return act(
        lambda: services.add_comment(current_user, work_order, form.body.data or ""),
        success=_("Comment added."),
        redirect_to=back,
    )


@bp.route("/<int:work_order_id>/archive", methods=["POST"])
@requires("workorder.edit")
def archive(work_order_id: int) -> Response:
    """Take the work order out of every list; it is kept, never deleted."""
    work_order = services.get_visible(current_user, work_order_id)
    return act(
        lambda: services.archive(current_user, work_order),
        success=_("%(number)s is archived.", number=work_order.number),
        redirect_to=url_for("workorders.list_work_orders"),
        back=_detail(work_order),
    )


def _people(work_order: WorkOrder) -> str:
    """The assignees' names, in order, for a message."""
    return ", ".join(sorted(user.name for user in work_order.assignees))


def _created(work_order: WorkOrder) -> str:
    """What creating did: created, and assigned and moved when the form named people."""
    if not work_order.assignees:
        return _("%(number)s created.", number=work_order.number)
    if work_order.status.is_initial:
        return _("%(number)s created and assigned to %(people)s.", number=work_order.number, people=_people(work_order))
    return _(
        "%(number)s created, assigned to %(people)s and moved to %(status)s.",
        number=work_order.number,
        people=_people(work_order),
        status=work_order.status.name,
    )


def _assigned(work_order: WorkOrder, moved: list[Status]) -> str:
    """What assigning did: to whom, and the status the workflow moved the work order to."""
    if not work_order.assignees:
        return _("%(number)s is assigned to nobody.", number=work_order.number)
    if moved:
        return _(
            "%(number)s assigned to %(people)s and moved to %(status)s.",
            number=work_order.number,
            people=_people(work_order),
            status=moved[-1].name,
        )
    return _("%(number)s assigned to %(people)s.", number=work_order.number, people=_people(work_order))


def _assign_form() -> AssignForm:
    """The assignment form with its options."""
    form = AssignForm(prefix="assign")
    form.team_id.choices = options(choices.teams(), blank=_("No team"))
    return form


@bp.route("/<int:work_order_id>/assign", methods=["POST"])
@requires("workorder.assign")
def assign(work_order_id: int) -> Response:
    """Set who works on it and which team owns it."""
    work_order = services.get_visible(current_user, work_order_id)
    form = _assign_form()
    if not form.validate_on_submit():
        flash(_("Choose people and a team from the lists."), "danger")
        return redirect(_detail(work_order))
    return act(
        lambda: services.assign(
            current_user, work_order, assignees.unique_ids(form.assignee_ids.data or ()), team_id=form.team_id.data
        ),
        success=lambda moved: _assigned(work_order, moved),
        redirect_to=_detail(work_order),
    )
