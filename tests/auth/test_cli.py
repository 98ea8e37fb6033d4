from datetime import UTC, datetime

import sqlalchemy as sa

from app.auth import services
from app.auth.models import User
from app.extensions import db


def test_users_create_with_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "Lee@Example.org", "--name", "Lee Park",
                                 "--role", "instructor", "--role", "admin", "--password", "sturdy otter lamp"])
    assert result.exit_code == 0, result.output
    user = services.user_by_email("lee@example.org")
    assert user is not None and {r.value for r in user.roles} == {"instructor", "admin"}


def test_users_create_prompts_for_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "kim@example.org", "--name", "Kim", "--role", "trainee"],
                           input="sturdy otter lamp\nsturdy otter lamp\n")
    assert result.exit_code == 0, result.output
    assert services.user_by_email("kim@example.org") is not None


def test_users_create_refuses_bad_input_with_a_message(runner, make_user):
    make_user(email="taken@example.org")
    result = runner.invoke(args=["users", "create", "--email", "taken@example.org", "--name", "X", "--role", "trainee",
                                 "--password", "sturdy otter lamp"])
    assert result.exit_code != 0 and "already an account" in result.output
    result = runner.invoke(args=["users", "create", "--email", "new@example.org", "--name", "X", "--role", "trainee",
                                 "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    result = runner.invoke(args=["users", "create", "--email", "new@example.org", "--name", "X", "--role", "wizard",
                                 "--password", "sturdy otter lamp"])
    assert result.exit_code != 0


def test_demo_seed_creates_the_documented_accounts_once(runner, app):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and "trainee@example.com" in first.output and "demo-trainee" in first.output
    for email, password in [("admin@example.com", "demo-admin"), ("instructor@example.com", "demo-instructor"),
                            ("trainee@example.com", "demo-trainee")]:
        assert services.authenticate(email, password, now=datetime.now(UTC)).user is not None
    second = runner.invoke(args=["demo", "seed"])
    assert "already has accounts" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3


def test_demo_seed_respects_lectern_demo_off(runner, app):
    app.config["LECTERN_DEMO"] = False
    result = runner.invoke(args=["demo", "seed"])
    assert "LECTERN_DEMO=0" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_link_prints_a_working_link(runner, app, client, make_user):
    user = make_user()
    result = runner.invoke(args=["users", "link", "--email", user.email])
    url = result.output.strip().splitlines()[-1]
    assert url.startswith(app.config["LECTERN_BASE_URL"] + "/reset/")
    assert client.get(url.removeprefix(app.config["LECTERN_BASE_URL"])).status_code == 200
