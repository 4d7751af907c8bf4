"""Forms of the workflow admin pages: statuses, transitions, priorities, types and custom fields."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cube.forms import CubeForm, options
from cube.parsing import BoundedIntegerField, optional_int
from cube.permissions import PERMISSIONS
from cube.workflow import settings
from cube.workflow.categories import CATEGORY_LABELS

COLOR_CHOICES = options((color, color.title()) for color in settings.COLORS)
CATEGORY_CHOICES = options((category.value, label) for category, label in CATEGORY_LABELS.items())
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
        maximum=settings.MAX_POSITION,
        validators=[Optional()],
        description=POSITION_HELP,
    )


class StatusForm(CubeForm):
    """A status and its fixed category."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
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

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    from_status_id = SelectField("From", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    to_status_id = SelectField("To", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    name = StringField(
        "Button label", validators=[DataRequired(), Length(max=64)], description="For example: Start work."
    )
    permission = SelectField(
        "Permission needed",
        choices=options((name, f"{name} — {PERMISSIONS[name]}") for name in settings.transition_permissions()),
    )
    guards = SelectMultipleField(
        "Guards",
        choices=options((guard, GUARD_LABELS.get(guard, guard)) for guard in settings.GUARDS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Checks that must pass before the move.",
    )
    position = _position_field()


class PriorityForm(CubeForm):
    """A priority with its colour and order."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    color = SelectField("Colour", choices=COLOR_CHOICES, default="secondary")
    position = _position_field()
    is_default = BooleanField("Default for new work orders")
    active = BooleanField("Active", default=True)


class TypeForm(CubeForm):
    """A work order type."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    active = BooleanField("Active", default=True)


class CustomFieldForm(CubeForm):
    """An admin-defined work order field."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
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
