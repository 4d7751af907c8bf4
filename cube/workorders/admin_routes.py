"""Admin views for the workflow: statuses, transitions, priorities, types and custom fields."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cube.edge import save_form
from cube.errors import DomainError
from cube.extensions import db
from cube.forms import ConfirmForm, CubeForm, options, show_error
from cube.models import CustomField, Priority, Status, Transition, WorkOrderType
from cube.parsing import BoundedIntegerField, optional_int
from cube.permissions import PERMISSIONS, requires
from cube.workorders import configuration

bp = Blueprint("workflow", __name__, url_prefix="/admin/workflow")
# The work order form's custom-field partial reads the active fields through this global.
bp.add_app_template_global(configuration.active_custom_fields, "active_custom_fields")

MANAGE = "workflow.manage"
COLOR_CHOICES = options((color, color.title()) for color in configuration.COLORS)
CATEGORY_CHOICES = options((category, category.title()) for category in configuration.CATEGORIES)
GUARD_LABELS = {
    "reason": "Reason: a reason must be given",
    "checklist": "Checklist: every required checklist item is answered",
    "assignee": "Assignee: someone is assigned",
}
KIND_LABELS = {"text": "Text", "number": "Number", "date": "Date", "choice": "Choice from a list"}
POSITION_HELP = "Lower numbers come first."


def _position_field() -> UnboundField:
    """The 'Order' input every list shares."""
    return BoundedIntegerField(
        "Order",
        default=0,
        minimum=0,
        maximum=configuration.MAX_POSITION,
        validators=[Optional()],
        description=POSITION_HELP,
    )


class StatusForm(CubeForm):
    """A status and its fixed category."""

    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    category = SelectField(
        "Category",
        choices=CATEGORY_CHOICES,
        validators=[DataRequired()],
        description="What the status means; reports and KPIs read the category, never the name.",
    )
    color = SelectField("Colour", choices=COLOR_CHOICES, default="secondary")
    position = _position_field()
    is_initial = BooleanField("New work orders start here (the initial status)")
    active = BooleanField("Active", default=True)


class TransitionRuleForm(CubeForm):
    """One row of the transition table."""

    from_status_id = SelectField("From", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    to_status_id = SelectField("To", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    name = StringField(
        "Button label", validators=[DataRequired(), Length(max=64)], description="For example: Start work."
    )
    permission = SelectField(
        "Permission needed",
        choices=options((name, f"{name} — {PERMISSIONS[name]}") for name in configuration.transition_permissions()),
    )
    guards = SelectMultipleField(
        "Guards",
        choices=options((guard, GUARD_LABELS.get(guard, guard)) for guard in configuration.GUARDS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Checks that must pass before the move.",
    )
    position = _position_field()


class PriorityForm(CubeForm):
    """A priority with its colour and order."""

    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    color = SelectField("Colour", choices=COLOR_CHOICES, default="secondary")
    position = _position_field()
    is_default = BooleanField("Default for new work orders")
    active = BooleanField("Active", default=True)


class TypeForm(CubeForm):
    """A work order type."""

    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    active = BooleanField("Active", default=True)


class CustomFieldForm(CubeForm):
    """An admin-defined work order field."""

    key = StringField(
        "Key",
        validators=[DataRequired(), Length(max=40)],
        description="Lower-case letters, digits and '_', e.g. serial_number. It cannot change later.",
    )
    label = StringField("Label", validators=[DataRequired(), Length(max=80)])
    kind = SelectField("Kind", choices=options(KIND_LABELS.items()), default="text")
    choices = TextAreaField(
        "Choices",
        validators=[Optional(), Length(max=10_000)],
        description="For kind 'choice': one per line, at most 80 characters each.",
    )
    required = BooleanField("Required")
    position = _position_field()
    active = BooleanField("Active", default=True)


def _page(template: str, **context: object) -> str:
    """Render one of the workflow templates."""
    return render_template(f"workflow/{template}", **context)


def _form_page(form: CubeForm, heading: str, back: str, submit: str) -> tuple[str, int]:
    """The add/edit form; 422 when a submitted form was refused."""
    status_code = 422 if form.is_submitted() else 200
    return _page("form.html", form=form, heading=heading, back=back, submit=submit), status_code


# Statuses ----------------------------------------------------------------------------------------


@bp.route("/statuses")
@requires(MANAGE)
def list_statuses() -> str:
    """Every status with its category, colour, order and how many work orders are in it."""
    return _page("statuses.html", statuses=configuration.statuses(), usage=configuration.status_usage())


@bp.route("/statuses/new", methods=["GET", "POST"], defaults={"status_id": None})
@bp.route("/statuses/<int:status_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_status(status_id: int | None) -> Response | tuple[str, int]:
    """Add a status or edit one."""
    status = db.get_or_404(Status, status_id) if status_id is not None else None
    form = StatusForm(obj=status)
    heading = f"Edit status {status.name}" if status else "Add a status"
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: configuration.save_status(
                current_user,
                status,
                name=form.name.data or "",
                category=form.category.data or "",
                color=form.color.data or "",
                position=form.position.data,
                is_initial=bool(form.is_initial.data),
                active=bool(form.active.data),
            ),
            success=lambda saved: f"Status {saved.name} saved.",
            redirect_to=url_for("workflow.list_statuses"),
        )
        if done is not None:
            return done
    return _form_page(form, heading, url_for("workflow.list_statuses"), "Save status")


# Transitions -------------------------------------------------------------------------------------


@bp.route("/transitions")
@requires(MANAGE)
def list_transitions() -> str:
    """The transition table: from, to, the permission needed and the guards."""
    return _page(
        "transitions.html", transitions=configuration.transitions(), guard_labels=GUARD_LABELS, confirm=ConfirmForm()
    )


@bp.route("/transitions/new", methods=["GET", "POST"], defaults={"transition_id": None})
@bp.route("/transitions/<int:transition_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_transition(transition_id: int | None) -> Response | tuple[str, int]:
    """Add a transition or edit one."""
    transition = db.get_or_404(Transition, transition_id) if transition_id is not None else None
    form = TransitionRuleForm(obj=transition)
    choices = options(
        ((s.id, s.name if s.active else f"{s.name} (deactivated)") for s in configuration.statuses()),
        blank="Choose a status",
    )
    form.from_status_id.choices = choices
    form.to_status_id.choices = choices
    heading = f"Edit transition {transition.name}" if transition else "Add a transition"
    if form.validate_on_submit():
        try:
            configuration.save_transition(
                current_user,
                transition,
                from_id=form.from_status_id.data,
                to_id=form.to_status_id.data,
                name=form.name.data or "",
                permission=form.permission.data or "",
                guards=form.guards.data or (),
                position=form.position.data,
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Transition saved.", "success")
            return redirect(url_for("workflow.list_transitions"))
    return _form_page(form, heading, url_for("workflow.list_transitions"), "Save transition")


@bp.route("/transitions/<int:transition_id>/delete", methods=["POST"])
@requires(MANAGE)
def delete_transition(transition_id: int) -> Response:
    """Delete a transition."""
    transition = db.get_or_404(Transition, transition_id)
    if ConfirmForm().validate_on_submit():
        label = f"{transition.from_status.name} → {transition.to_status.name}"
        configuration.delete_transition(current_user, transition)
        db.session.commit()
        flash(f"Transition {label} deleted.", "success")
    return redirect(url_for("workflow.list_transitions"))


# Priorities --------------------------------------------------------------------------------------


@bp.route("/priorities")
@requires(MANAGE)
def list_priorities() -> str:
    """Priorities in order, with their colour and which one is the default."""
    return _page("priorities.html", priorities=configuration.priorities())


@bp.route("/priorities/new", methods=["GET", "POST"], defaults={"priority_id": None})
@bp.route("/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_priority(priority_id: int | None) -> Response | tuple[str, int]:
    """Add a priority or edit one."""
    priority = db.get_or_404(Priority, priority_id) if priority_id is not None else None
    form = PriorityForm(obj=priority)
    heading = f"Edit priority {priority.name}" if priority else "Add a priority"
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: configuration.save_priority(
                current_user,
                priority,
                name=form.name.data or "",
                color=form.color.data or "",
                position=form.position.data,
                is_default=bool(form.is_default.data),
                active=bool(form.active.data),
            ),
            success=lambda saved: f"Priority {saved.name} saved.",
            redirect_to=url_for("workflow.list_priorities"),
        )
        if done is not None:
            return done
    return _form_page(form, heading, url_for("workflow.list_priorities"), "Save priority")


# Types -------------------------------------------------------------------------------------------


@bp.route("/types")
@requires(MANAGE)
def list_types() -> str:
    """Work order types (corrective, preventive, ...)."""
    return _page("types.html", types=configuration.work_order_types())


@bp.route("/types/new", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_type(type_id: int | None) -> Response | tuple[str, int]:
    """Add a work order type or edit one."""
    work_order_type = db.get_or_404(WorkOrderType, type_id) if type_id is not None else None
    form = TypeForm(obj=work_order_type)
    heading = f"Edit type {work_order_type.name}" if work_order_type else "Add a type"
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: configuration.save_type(
                current_user, work_order_type, name=form.name.data or "", active=bool(form.active.data)
            ),
            success=lambda saved: f"Type {saved.name} saved.",
            redirect_to=url_for("workflow.list_types"),
        )
        if done is not None:
            return done
    return _form_page(form, heading, url_for("workflow.list_types"), "Save type")


# Custom fields -----------------------------------------------------------------------------------


@bp.route("/custom-fields")
@requires(MANAGE)
def list_custom_fields() -> str:
    """Custom fields shown on the work order form, in order."""
    return _page("custom_fields.html", fields=configuration.custom_fields(), kinds=KIND_LABELS)


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
    heading = f"Edit custom field {custom.label}" if custom else "Add a custom field"
    if form.validate_on_submit():
        done = save_form(
            form,
            lambda: configuration.save_custom_field(
                current_user,
                custom,
                key=form.key.data or "",
                label=form.label.data or "",
                kind=form.kind.data or "",
                choices=(form.choices.data or "").splitlines(),
                required=bool(form.required.data),
                position=form.position.data,
                active=bool(form.active.data),
            ),
            success=lambda saved: f"Custom field {saved.label} saved.",
            redirect_to=url_for("workflow.list_custom_fields"),
        )
        if done is not None:
            return done
    return _form_page(form, heading, url_for("workflow.list_custom_fields"), "Save custom field")
