"""Plugin: factories as fixtures that return callables (make_user, make_cohort, make_live_session,
make_completion, make_passed_attempt, ...) and the sign-in helpers tests use with them."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, UTC

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import User, UserRole
from app.auth.passwords import hash_password
from app.extensions import db

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per run


@pytest.fixture
def make_user(app: Flask, password_hash: str) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def factory(**overrides: object) -> User:
        n = next(counter)
        roles = overrides.pop("roles", ("trainee",))
        user = User(
            email=str(overrides.pop("email", f"person{n}@example.org")).lower(),
            display_name=str(overrides.pop("display_name", f"Person {n}")),
            password_hash=overrides.pop("password_hash", password_hash),
            is_active=overrides.pop("is_active", True),
            created_at=overrides.pop("created_at", datetime(2026, 1, 1, tzinfo=UTC)),
            **overrides,
        )
        user.role_rows = [UserRole(role=r) for r in roles]  # type: ignore[union-attr]
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@dataclass
class SignIn:
    client: FlaskClient

    def __call__(self, user: User, password: str = PASSWORD, **extra: str):
        return self.client.post("/login", data={"email": user.email, "password": password, **extra})


@pytest.fixture
def sign_in(client: FlaskClient) -> SignIn:
    return SignIn(client)


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1) or match.group(2)


def signed_in(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    """A fresh client of `app`, signed in as `user`."""
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": password})
    return client
