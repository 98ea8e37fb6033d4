from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo

from app.auth.models import Role
from app.auth.passwords import MAX_LENGTH
from app.web import HtmlForm, MaxLength, MultiCheckboxField


class SignInForm(HtmlForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."), MaxLength(254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."),
                                                     MaxLength(MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class SetPasswordForm(HtmlForm):
    password = PasswordField("New password", validators=[DataRequired(message="Choose a password.")])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(message="Repeat the password."),
                                        EqualTo("password", message="The two passwords differ.")])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(message="Enter your current password.")])


ROLE_LABELS = {Role.TRAINEE: "Trainee", Role.INSTRUCTOR: "Instructor", Role.ADMIN: "Administrator"}


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(value=role.value, label=label) for role, label in ROLE_LABELS.items()]


class InviteForm(HtmlForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter an email address."), MaxLength(254)])
    display_name = StringField("Full name", validators=[DataRequired(message="Enter the person's name."),
                                                        MaxLength(120)])
    roles = MultiCheckboxField("Roles", choices=role_choices(),
                               default=[Role.TRAINEE.value],
                               validators=[DataRequired(message="Choose at least one role.")])


class RolesForm(HtmlForm):
    roles = MultiCheckboxField("What this person can do", choices=role_choices(),
                               validators=[DataRequired(message="Choose at least one role.")])


class RegisterForm(HtmlForm):
    display_name = StringField("Full name", validators=[DataRequired(message="Enter your name."), MaxLength(120)])
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."), MaxLength(254)])
    password = PasswordField("Password", validators=[DataRequired(message="Choose a password.")])
    code = StringField("Enrolment code", validators=[DataRequired(message="Enter the code your course gave you."),
                                                     MaxLength(20)])


class JoinForm(HtmlForm):
    code = StringField("Enrolment code", validators=[DataRequired(message="Enter the code your course gave you."),
                                                     MaxLength(20)])
