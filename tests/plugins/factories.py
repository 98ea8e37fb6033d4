"""Plugin: factories as fixtures that return callables (make_user, make_cohort, make_live_session,
make_completion, make_passed_attempt, ...) and the sign-in helpers tests use with them."""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import User, UserRole
from app.auth.passwords import hash_password
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn.models import LessonCompletion
from app.live import sessions
from app.live.models import LiveSession
from app.quizzes.models import QuizAttempt

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


@pytest.fixture
def login() -> Callable[..., FlaskClient]:
    """`login(app, user)`: a fresh client of `app`, signed in as `user`."""
    return signed_in


@pytest.fixture(scope="session")
def password() -> str:
    """The password every `make_user` account has."""
    return PASSWORD


@pytest.fixture(name="csrf_token_from")
def csrf_token_from_fixture() -> Callable[[str], str]:
    """`csrf_token_from(html)`: the value of the page's csrf_token field."""
    return csrf_token_from


def signed_in_with_csrf(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
    """Sign `client` in as `user` through the form, CSRF token and all (for apps with CSRF on)."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


@pytest.fixture
def csrf_sign_in() -> Callable[..., FlaskClient]:
    """`csrf_sign_in(client, user)`: sign in through the form with its CSRF token (asserts it worked)."""
    return signed_in_with_csrf


def _id(user_or_id: object) -> int:
    return int(getattr(user_or_id, "id", user_or_id))  # type: ignore[call-overload]


@pytest.fixture
def make_cohort(app: Flask, make_user: Callable[..., User]) -> Callable[..., Cohort]:
    """`make_cohort(name=…, track=…, instructors=[…], trainees=[…], by=admin)`: a cohort saved and
    enrolled through the services, as an administrator (`by`, or a new admin) would."""
    counter = iter(range(1, 10_000))

    def factory(*, name: str | None = None, track: str = "live", instructors: Iterable[object] = (),
                trainees: Iterable[object] = (), by: User | None = None, starts_on: date | None = None,
                ends_on: date | None = None) -> Cohort:
        actor = by or make_user(roles=("admin",))
        cohort = cohorts.save_cohort(actor.id, None, name=name or f"Cohort {next(counter)}", track=track,
                                     starts_on=starts_on, ends_on=ends_on,
                                     instructor_ids=[_id(u) for u in instructors], now=utcnow())
        trainee_ids = [_id(u) for u in trainees]
        if trainee_ids:
            cohorts.enrol(actor.id, cohort.id, trainee_ids, now=utcnow())
        return cohort

    return factory


@pytest.fixture
def make_live_session(app: Flask) -> Callable[..., LiveSession]:
    """`make_live_session(cohort, by=instructor, day=1)`: a live session started through the service."""

    def factory(cohort: object, *, by: object, day: int = 1) -> LiveSession:
        return sessions.start_session(_id(by), _id(cohort), day, catalog(), now=utcnow())

    return factory


@pytest.fixture
def make_completion(app: Flask) -> Callable[..., list[LessonCompletion]]:
    """`make_completion(user, slugs=None)`: lessons marked complete (every lesson of the course by default)."""

    def factory(user: object, slugs: Iterable[str] | None = None) -> list[LessonCompletion]:
        now = utcnow()
        rows = [LessonCompletion(user_id=_id(user), lesson_key=slug, content_hash="x", completed_at=now)
                for slug in (slugs if slugs is not None else [lesson.slug for lesson in catalog().lessons])]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return factory


@pytest.fixture
def make_passed_attempt(app: Flask) -> Callable[..., list[QuizAttempt]]:
    """`make_passed_attempt(user, quiz_ids=None)`: a finished attempt at 100% (pass mark 70) for each
    quiz named (every quiz of the course by default)."""
    counter = iter(range(10_000))

    def factory(user: object, quiz_ids: Iterable[str] | None = None) -> list[QuizAttempt]:
        now, user_id = utcnow(), _id(user)
        quizzes = catalog().quizzes if quiz_ids is None else [catalog().quiz(q) for q in quiz_ids]
        rows = [QuizAttempt(user_id=user_id, quiz_key=quiz.id, attempt_no=1, max_attempts=quiz.attempts,
                            content_hash="x", submit_token=f"t{user_id}-{next(counter)}", feedback_mode="deferred",
                            pass_mark=70, questions=[], answers={}, checked=[], started_at=now,
                            finished_at=now, score_points=1, score_out_of=1, score_percent=100, passed=True)
                for quiz in quizzes]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return factory


@pytest.fixture
def make_eligible(make_completion: Callable[..., object], make_passed_attempt: Callable[..., object]) -> Callable[[object], None]:
    """`make_eligible(user)`: every lesson complete and every quiz passed (what the certificate rule asks)."""

    def factory(user: object) -> None:
        make_completion(user)
        make_passed_attempt(user)

    return factory


@pytest.fixture
def admin_client(app: Flask, make_user: Callable[..., User]) -> Callable[[], tuple[FlaskClient, User]]:
    """`admin_client()`: a new administrator ("Ada Admin") and a client signed in as them."""

    def factory() -> tuple[FlaskClient, User]:
        admin = make_user(roles=("admin",), display_name="Ada Admin")
        return signed_in(app, admin), admin

    return factory


@pytest.fixture
def import_admin(app: Flask, make_user: Callable[..., User]) -> Callable[[], FlaskClient]:
    """`import_admin()`: a client signed in as a new administrator, with the cohort "Spring 2027" that
    `people_csv` rows name."""

    def factory() -> FlaskClient:
        user = make_user(roles=("admin",))
        client = signed_in(app, user)
        cohorts.save_cohort(user.id, None, name="Spring 2027", track="live", starts_on=None, ends_on=None,
                            instructor_ids=[], now=utcnow())
        return client

    return factory


def _people_csv(n: int = 500, bad: Iterable[tuple[int, str]] = ()) -> str:
    lines = ["email,name,role,cohort"]
    for i in range(n):
        lines.append(f"imp{i}@example.org,Person {i},trainee,Spring 2027")
    for index, row in bad:
        lines[index] = row
    return "\n".join(lines) + "\n"


@pytest.fixture
def people_csv() -> Callable[..., str]:
    """`people_csv(n=500, bad=[(line_index, row), …])`: a people import file, all in "Spring 2027"."""
    return _people_csv


def _upload(client: FlaskClient, text: str, mode: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/import", data={"mode": mode, "file": (io.BytesIO(text.encode()), "people.csv")},
                       content_type="multipart/form-data")


@pytest.fixture
def upload_people() -> Callable[..., object]:
    """`upload_people(client, text, mode)`: post a people CSV to /admin/import ("check" or "import")."""
    return _upload
