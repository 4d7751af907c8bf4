"""Admin views for the workflow: statuses, transitions, priorities, types and custom fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import act, save_form
from cube.extensions import db
from cube.forms import ConfirmForm, CubeForm, options
from cube.models import CustomField, Priority, Status, Transition, WorkOrderType
from cube.parsing import optional_int
from cube.permissions import requires
from cube.workflow import settings
from cube.workflow.blueprint import bp
from cube.workflow.categories import CATEGORY_LABELS
from cube.workflow.forms import (
    GUARD_LABELS,
    KIND_LABELS,
    CustomFieldForm,
    PriorityForm,
    StatusForm,
    TransitionRuleForm,
    TypeForm,
)

MANAGE = "workflow.manage"
T = TypeVar("T")


def _page(template: str, **context: object) -> str:
    """Render one of the workflow templates."""
    return render_template(f"workflow/{template}", **context)


def _form_page(form: CubeForm, heading: str, back: str, submit: str) -> tuple[str, int]:
    """The add/edit form; 422 when a submitted form was refused."""
    status_code = 422 if form.is_submitted() else 200
    return _page("form.html", form=form, heading=heading, back=back, submit=submit), status_code


def _edit(
    form: CubeForm, save: Callable[[], T], *, success: Callable[[T], str] | str, listing: str, heading: str, submit: str
) -> Response | tuple[str, int]:
    """Save a submitted form and return to ``listing``, or show the form (422 after a refusal)."""
    back = url_for(listing)
    if form.validate_on_submit():
        done = save_form(form, save, success=success, redirect_to=back)
        if done is not None:
            return done
    return _form_page(form, heading, back, submit)


# Statuses ----------------------------------------------------------------------------------------


@bp.route("/statuses")
@requires(MANAGE)
def list_statuses() -> str:
    """Every status with its category, colour, order and how many work orders are in it."""
    categories = {category.value: label for category, label in CATEGORY_LABELS.items()}
    return _page("statuses.html", statuses=settings.statuses(), usage=settings.status_usage(), categories=categories)


@bp.route("/statuses/new", methods=["GET", "POST"], defaults={"status_id": None})
@bp.route("/statuses/<int:status_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_status(status_id: int | None) -> Response | tuple[str, int]:
    """Add a status or edit one."""
    status = db.get_or_404(Status, status_id) if status_id is not None else None
    form = StatusForm(obj=status)
    heading = _("Edit status %(name)s", name=status.name) if status else _("Add a status")
    return _edit(
        form,
        lambda: settings.save_status(
            current_user,
            status,
            name=form.name.data or "",
            category=form.category.data or "",
            color=form.color.data or "",
            position=form.position.data,
            is_initial=bool(form.is_initial.data),
            active=bool(form.active.data),
            expected_version=optional_int(form.version.data),
        ),
        success=lambda saved: _("Status %(name)s saved.", name=saved.name),
        listing="workflow.list_statuses",
        heading=heading,
        submit=_("Save status"),
    )


# Transitions -------------------------------------------------------------------------------------


@bp.route("/transitions")
@requires(MANAGE)
def list_transitions() -> str:
    """The transition table: from, to, the permission needed and the guards."""
    return _page(
        "transitions.html", transitions=settings.transitions(), guard_labels=GUARD_LABELS, confirm=ConfirmForm()
    )


@bp.route("/transitions/new", methods=["GET", "POST"], defaults={"transition_id": None})
@bp.route("/transitions/<int:transition_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_transition(transition_id: int | None) -> Response | tuple[str, int]:
    """Add a transition or edit one."""
    transition = db.get_or_404(Transition, transition_id) if transition_id is not None else None
    form = TransitionRuleForm(obj=transition)
    choices = options(
        ((s.id, s.name if s.active else _("%(name)s (deactivated)", name=s.name)) for s in settings.statuses()),
        blank=_("Choose a status"),
    )
    form.from_status_id.choices = choices
    form.to_status_id.choices = choices
    heading = _("Edit transition %(name)s", name=transition.name) if transition else _("Add a transition")
    return _edit(
        form,
        lambda: settings.save_transition(
            current_user,
            transition,
            from_id=form.from_status_id.data,
            to_id=form.to_status_id.data,
            name=form.name.data or "",
            permission=form.permission.data or "",
            guards=form.guards.data or (),
            position=form.position.data,
            on_assign=bool(form.on_assign.data),
            expected_version=optional_int(form.version.data),
        ),
        success=_("Transition saved."),
        listing="workflow.list_transitions",
        heading=heading,
        submit=_("Save transition"),
    )


@bp.route("/transitions/<int:transition_id>/delete", methods=["POST"])
@requires(MANAGE)
def delete_transition(transition_id: int) -> Response:
    """Delete a transition."""
    transition = db.get_or_404(Transition, transition_id)
    back = url_for("workflow.list_transitions")
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    success = _(
        "Transition %(source)s → %(target)s deleted.",
        source=transition.from_status.name,
        target=transition.to_status.name,
    )
    return act(
        lambda: settings.delete_transition(current_user, transition),
        success=success,
        redirect_to=back,
    )


# Priorities --------------------------------------------------------------------------------------


@bp.route("/priorities")
@requires(MANAGE)
def list_priorities() -> str:
    """Priorities in order, with their colour and which one is the default."""
    return _page("priorities.html", priorities=settings.priorities())


@bp.route("/priorities/new", methods=["GET", "POST"], defaults={"priority_id": None})
@bp.route("/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_priority(priority_id: int | None) -> Response | tuple[str, int]:
    """Add a priority or edit one."""
    priority = db.get_or_404(Priority, priority_id) if priority_id is not None else None
    form = PriorityForm(obj=priority)
    heading = _("Edit priority %(name)s", name=priority.name) if priority else _("Add a priority")
    return _edit(
        form,
        lambda: settings.save_priority(
            current_user,
            priority,
            name=form.name.data or "",
            color=form.color.data or "",
            position=form.position.data,
            is_default=bool(form.is_default.data),
            active=bool(form.active.data),
            expected_version=optional_int(form.version.data),
        ),
        success=lambda saved: _("Priority %(name)s saved.", name=saved.name),
        listing="workflow.list_priorities",
        heading=heading,
        submit=_("Save priority"),
    )


# Types -------------------------------------------------------------------------------------------


@bp.route("/types")
@requires(MANAGE)
def list_types() -> str:
    """Work order types (corrective, preventive, ...)."""
    return _page("types.html", types=settings.work_order_types())


@bp.route("/types/new", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_type(type_id: int | None) -> Response | tuple[str, int]:
    """Add a work order type or edit one."""
    work_order_type = db.get_or_404(WorkOrderType, type_id) if type_id is not None else None
    form = TypeForm(obj=work_order_type)
    heading = _("Edit type %(name)s", name=work_order_type.name) if work_order_type else _("Add a type")
    return _edit(
        form,
        lambda: settings.save_type(
            current_user,
            work_order_type,
            name=form.name.data or "",
            active=bool(form.active.data),
            expected_version=optional_int(form.version.data),
        ),
        success=lambda saved: _("Type %(name)s saved.", name=saved.name),
        listing="workflow.list_types",
        heading=heading,
        submit=_("Save type"),
    )


# Custom fields -----------------------------------------------------------------------------------


@bp.route("/custom-fields")
@requires(MANAGE)
def list_custom_fields() -> str:
    """Custom fields shown on the work order form, in order."""
    return _page("custom_fields.html", fields=settings.custom_fields(), kinds=KIND_LABELS)


@bp.route("/custom-fields/new", methods=["GET", "POST"], defaults={"field_id": None})
@bp.route("/custom-fields/<int:field_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_custom_field(field_id: int | None) -> Response | tuple[str, int]:
    """Add a custom field or edit one (its key stays as created)."""
    custom = db.get_or_404(CustomField, field_id) if field_id is not None else None
    form = CustomFieldForm(obj=custom)
    if custom is not None:
        form.key.render_kw = {"readonly": True}
        if not form.is_submitted():
            form.choices.data = "\n".join(custom.choices or [])
    heading = _("Edit custom field %(label)s", label=custom.label) if custom else _("Add a custom field")
    return _edit(
        form,
        lambda: settings.save_custom_field(
            current_user,
            custom,
            key=form.key.data or "",
            label=form.label.data or "",
            kind=form.kind.data or "",
            choices=(form.choices.data or "").splitlines(),
            required=bool(form.required.data),
            position=form.position.data,
            active=bool(form.active.data),
            expected_version=optional_int(form.version.data),
        ),
        success=lambda saved: _("Custom field %(label)s saved.", label=saved.label),
        listing="workflow.list_custom_fields",
        heading=heading,
        submit=_("Save custom field"),
    )
