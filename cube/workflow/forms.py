"""Forms of the workflow admin pages: statuses, transitions, priorities, types and custom fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
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

# Bootstrap's colour names, as the colour picker shows them (the stored value stays the key).
COLOR_LABELS = {
    "primary": _l("Primary"),
    "secondary": _l("Secondary"),
    "success": _l("Success"),
    "danger": _l("Danger"),
    "warning": _l("Warning"),
    "info": _l("Info"),
    "light": _l("Light"),
    "dark": _l("Dark"),
}
COLOR_CHOICES = options((color, COLOR_LABELS.get(color, color)) for color in settings.COLORS)
CATEGORY_CHOICES = options((category.value, label) for category, label in CATEGORY_LABELS.items())
GUARD_LABELS = {
    "reason": _l("Reason: a reason must be given"),
    "checklist": _l("Checklist: every required checklist item is answered"),
    "assignee": _l("Assignee: someone is assigned"),
}
KIND_LABELS = {"text": _l("Text"), "number": _l("Number"), "date": _l("Date"), "choice": _l("Choice from a list")}
POSITION_HELP = _l("Lower numbers come first.")


def _position_field() -> UnboundField:
    """The 'Order' input every list shares."""
    return BoundedIntegerField(
        _l("Order"),
        default=0,
        minimum=0,
        maximum=settings.MAX_POSITION,
        validators=[Optional()],
        description=POSITION_HELP,
    )


class StatusForm(CubeForm):
    """A status and its fixed category."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    category = SelectField(
        _l("Category"),
        choices=CATEGORY_CHOICES,
        validators=[DataRequired()],
        description=_l("What the status means; reports and KPIs read the category, never the name."),
    )
    color = SelectField(_l("Colour"), choices=COLOR_CHOICES, default="secondary")
    position = _position_field()
    is_initial = BooleanField(_l("New work orders start here (the initial status)"))
    active = BooleanField(_l("Active"), default=True)


class TransitionRuleForm(CubeForm):
    """One row of the transition table."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    from_status_id = SelectField(_l("From"), coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    to_status_id = SelectField(_l("To"), coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    name = StringField(
        _l("Button label"), validators=[DataRequired(), Length(max=64)], description=_l("For example: Start work.")
    )
    permission = SelectField(_l("Permission needed"))
    guards = SelectMultipleField(
        _l("Guards"),
        choices=options((guard, GUARD_LABELS.get(guard, guard)) for guard in settings.GUARDS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("Checks that must pass before the move."),
    )
    position = _position_field()
    on_assign = BooleanField(
        _l("Take it when someone is assigned"),
        description=_l(
            "Assigning people to a work order in the from status moves it along this transition, when the person"
            " assigning holds its permission and its guards pass. Transitions taken this way follow one another,"
            " for example New → Approved → Assigned."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: each permission's description is read in the reader's language.
        self.permission.choices = options(
            (name, f"{name} — {PERMISSIONS[name]}") for name in settings.transition_permissions()
        )


class PriorityForm(CubeForm):
    """A priority with its colour and order."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    color = SelectField(_l("Colour"), choices=COLOR_CHOICES, default="secondary")
    position = _position_field()
    is_default = BooleanField(_l("Default for new work orders"))
    active = BooleanField(_l("Active"), default=True)


class TypeForm(CubeForm):
    """A work order type."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    active = BooleanField(_l("Active"), default=True)


class CustomFieldForm(CubeForm):
    """An admin-defined work order field."""

    version = HiddenField()  # the version the form was loaded at (a stale save is refused)
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Lower-case letters, digits and '_', e.g. serial_number. It cannot change later."),
    )
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=options(KIND_LABELS.items()), default="text")
    choices = TextAreaField(
        _l("Choices"),
        validators=[Optional(), Length(max=10_000)],
        description=_l("For kind 'choice': one per line, at most 80 characters each."),
    )
    required = BooleanField(_l("Required"))
    position = _position_field()
    active = BooleanField(_l("Active"), default=True)
