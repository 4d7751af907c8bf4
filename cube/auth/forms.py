"""Sign-in and password forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from cube.forms import CubeForm

PASSWORD_MAX = 256


class LoginForm(CubeForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()
    submit = SubmitField("Sign in")


class ForgotPasswordForm(CubeForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    submit = SubmitField("Send reset link")


class NewPasswordForm(CubeForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description="At least 12 characters; not your e-mail address or a common password.",
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")]
    )
    submit = SubmitField("Save password")


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    field_order = ("current_password", "password", "confirm")
