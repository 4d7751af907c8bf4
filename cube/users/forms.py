"""Forms for user administration, roles, teams and the profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from cube.forms import CubeForm, LocalizedDecimalField, options
from cube.parsing import optional_int


class UserForm(CubeForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role_id = SelectField(_l("Role"), coerce=optional_int, validators=[DataRequired()])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    timezone = SelectField(_l("Time zone"))
    language = SelectField(_l("Language"), default="", description=_l("Mail to this person is written in it."))
    team_ids = SelectMultipleField(_l("Teams"), coerce=optional_int, validate_choice=True)
    hourly_rate = LocalizedDecimalField(
        _l("Hourly rate"),
        places=2,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Labour cost per hour on work orders."),
    )
    invite = BooleanField(_l("E-mail an invitation to choose a password"), default=True)
    submit = SubmitField(_l("Save"))


class UserFilterForm(CubeForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), coerce=optional_int, validate_choice=False)
    team = SelectField(_l("Team"), coerce=optional_int, validate_choice=False)
    active = SelectField(
        _l("Status"),
        choices=options([("yes", _l("Active")), ("no", _l("Deactivated"))], blank=_l("Any status")),
        default="",
        validate_choice=False,
    )


class ProfileForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    timezone = SelectField(_l("Time zone"))
    language = SelectField(_l("Language"))
    submit = SubmitField(_l("Save profile"))


class RoleForm(CubeForm):
    name = StringField(_l("Role name"), validators=[DataRequired(), Length(max=64)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])
    submit = SubmitField(_l("Add role"))


class TeamForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    supervisor_id = SelectField(_l("Supervisor"), coerce=optional_int, validate_choice=True)
    member_ids = SelectMultipleField(_l("Members"), coerce=optional_int, validate_choice=True)
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save team"))


class SiteSettingsForm(CubeForm):
    default_language = SelectField(
        _l("Default language"),
        description=_l("For visitors whose browser asks for none of ours, and for people who chose none."),
    )
    default_timezone = SelectField(
        _l("Default time zone"), description=_l("New people get it unless another zone is chosen for them.")
    )
    date_style = SelectField(_l("Date style"), description=_l("How pages, mail and PDFs write dates and times."))
    submit = SubmitField(_l("Save settings"))
