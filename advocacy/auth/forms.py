"""Login and user-management forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from advocacy.auth.models import Role

ROLE_CHOICES = [SelectChoice(r.value, r.value.capitalize()) for r in (Role.STAFF, Role.ORGANIZER, Role.ADMIN)]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = StringField(render_kw={"hidden": True})


class LogoutForm(FlaskForm):
    pass


class UserRoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class UserActiveForm(FlaskForm):
    active = BooleanField("Active")


class NewUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=12, max=1024)])


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField("New password (at least 12 characters)", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField("New password again", validators=[DataRequired(), Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    token = StringField(validators=[DataRequired(), Length(max=128)])
    new = PasswordField("New password (at least 12 characters)", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField("New password again", validators=[DataRequired(), Length(max=1024)])
