"""The account forms (Flask-WTF: each carries its CSRF token).

Field checks call the same functions the domain calls (accounts.auth, accounts.passwords),
so every problem shows at once next to its field; the domain checks again, since it is the
rule. Passwords are never sent back into the page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, ValidationError

from accounts.auth import MAX_EMAIL_LENGTH, email_problems, name_problems, normalise_email
from accounts.passwords import MAX_LENGTH, password_problems


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _check_with(problems_of):
    """A WTForms validator from a domain check that lists problems."""

    def check(form, field):
        problems = problems_of(form, field.data or "")
        if problems:
            raise ValidationError(problems[0])

    return check


def _new_password_problems(form, value: str) -> list[str]:
    email = form.email.data if "email" in form else ""
    return password_problems(value, normalise_email(email or ""))


def _email_field(label=None):
    return StringField(
        label or _l("Email address"),
        filters=[_stripped],
        validators=[
            InputRequired(_l("Enter your email address.")),
            _check_with(lambda form, value: email_problems(normalise_email(value))),
        ],
        render_kw={"maxlength": MAX_EMAIL_LENGTH},
    )


def _new_password_field():
    return PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Choose a password.")),
            _check_with(_new_password_problems),
        ],
        render_kw={"maxlength": MAX_LENGTH},
    )


def _confirmation_field():
    return PasswordField(
        _l("Password again"),
        validators=[
            InputRequired(_l("Type the password a second time.")),
            EqualTo("password", _l("The two passwords are different. Type the same one twice.")),
        ],
        render_kw={"maxlength": MAX_LENGTH},
    )


class SignUpForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[_stripped],
        validators=[
            InputRequired(_l("Enter your name.")),
            _check_with(lambda form, value: name_problems(value)),
        ],
    )
    email = _email_field()
    password = _new_password_field()
    password_confirmation = _confirmation_field()


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])
    next = HiddenField()


class CodeForm(FlaskForm):
    """A code from an authenticator app: the second step of signing in, setting TOTP up,
    turning it off."""

    code = StringField(
        _l("6-digit code"),
        filters=[_stripped],
        validators=[InputRequired(_l("Enter the 6 digits your app shows."))],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 10},
    )
    next = HiddenField()


class ForgottenPasswordForm(FlaskForm):
    email = _email_field()


class NewPasswordForm(FlaskForm):
    password = _new_password_field()
    password_confirmation = _confirmation_field()


class ConfirmForm(FlaskForm):
    """A button alone (sign out, send a new link): only the CSRF token."""
