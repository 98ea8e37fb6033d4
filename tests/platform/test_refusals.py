"""app/web.py `refusals()`: a domain error becomes a flashed message or a form field's error, the
same way on every page; and PasswordRejected names the field it is about."""
from __future__ import annotations

import re

import pytest
from flask import get_flashed_messages
from wtforms import Form, StringField

from app.errors import (
    AttemptLimitReached,
    CurrentPasswordWrong,
    DomainError,
    EmailTaken,
    InputRejected,
    InvalidEmail,
    NotFound,
    PasswordRejected,
)
from app.web import refusals


class PersonForm(Form):
    display_name = StringField("Full name")
    email = StringField("Email")


def _form() -> PersonForm:
    form = PersonForm()
    form.validate()
    return form


def test_nothing_refused_is_false_and_flashes_nothing(app):
    with app.test_request_context("/"):
        with refusals() as refused:
            pass
        assert not refused and refused.error is None
        assert get_flashed_messages() == []


def test_a_refusal_is_flashed_as_an_error(app):
    with app.test_request_context("/"):
        with refusals(AttemptLimitReached) as refused:
            raise AttemptLimitReached("No attempts left.")
        assert refused and isinstance(refused.error, AttemptLimitReached)
        assert get_flashed_messages(with_categories=True) == [("error", "No attempts left.")]


def test_any_domain_error_when_no_kinds_are_given(app):
    with app.test_request_context("/"):
        with refusals() as refused:
            raise DomainError("Not allowed.")
        assert refused and get_flashed_messages() == ["Not allowed."]


def test_other_errors_pass_through_unflashed(app):
    with app.test_request_context("/"):
        with pytest.raises(NotFound), refusals(InputRejected):
            raise NotFound("No such thing.")
        with pytest.raises(ValueError), refusals():
            raise ValueError("a bug, not a refusal")
        assert get_flashed_messages() == []


def test_message_can_be_reworded(app):
    with app.test_request_context("/"):
        with refusals(message=lambda exc: f"Sorry: {exc}"):
            raise DomainError("closed")
        assert get_flashed_messages() == ["Sorry: closed"]


def test_with_a_form_the_error_goes_on_the_field_it_names(app):
    with app.test_request_context("/"):
        form = _form()
        with refusals(form=form, field="display_name") as refused:
            raise EmailTaken("That address already has an account.")
        assert refused
        assert form.email.errors == ["That address already has an account."] and form.display_name.errors == []
        assert form.errors == {"email": ["That address already has an account."]}
        assert get_flashed_messages() == []


def test_with_a_form_an_error_naming_no_field_of_it_goes_on_the_default_field(app):
    with app.test_request_context("/"):
        form = _form()
        with refusals(form=form, field="display_name"):
            raise DomainError("Give the person's name.")
        with refusals(form=form, field="display_name"):
            raise InputRejected("Not on this form.", field="track")
        assert form.display_name.errors == ["Give the person's name.", "Not on this form."]
        assert form.email.errors == []


def test_password_rejected_names_its_field():
    assert PasswordRejected("Too short.").field == "password"
    assert CurrentPasswordWrong("Not your password.").field == "current"
    assert PasswordRejected("x", field="confirm").field == "confirm"
    assert InvalidEmail("x").field == EmailTaken("x").field == "email"
    assert DomainError("x").field is None and InputRejected("x").field is None


def _field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else None


def test_change_password_puts_each_refusal_on_its_field(client, make_user, sign_in, password):
    user = make_user()
    sign_in(user)
    wrong = client.post("/account/password", data={"current": "not the password", "password": "another good phrase",
                                                   "confirm": "another good phrase"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert _field_error(html, "current") and _field_error(html, "password") is None
    weak = client.post("/account/password", data={"current": password, "password": "password123",
                                                  "confirm": "password123"})
    html = weak.get_data(as_text=True)
    assert weak.status_code == 422
    assert _field_error(html, "password") and _field_error(html, "current") is None


def test_admin_new_user_keeps_what_was_typed_and_marks_the_email(client, make_user, sign_in):
    admin = make_user(roles=("admin",))
    make_user(email="taken@example.org")
    sign_in(admin)
    response = client.post("/admin/users/new", data={"email": "taken@example.org", "display_name": "Ada Typed",
                                                     "roles": ["trainee"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _field_error(html, "email") and _field_error(html, "display_name") is None
    assert 'value="Ada Typed"' in html


def test_admin_rename_refusal_is_flashed_and_redirects(client, make_user, sign_in):
    admin, person = make_user(roles=("admin",)), make_user()
    sign_in(admin)
    response = client.post(f"/admin/users/{person.id}/name", data={"display_name": ""})
    assert response.status_code == 302 and response.location.endswith(f"/admin/users/{person.id}")
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert len(flashes) == 1 and flashes[0][0] == "error" and "name" in flashes[0][1].lower()
