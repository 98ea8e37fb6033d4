"""The signed-in person of every request: one Core statement, never cached, so what changed in the
database holds from the very next request (app/auth/services.py load_session_user)."""
import sqlalchemy as sa

from app.auth import services
from app.auth.models import Role, SignedIn
from app.db import utcnow
from app.extensions import db


def statements_during(action) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return seen


def test_the_person_and_roles_come_in_one_statement(app, make_user):
    person = make_user(roles=("trainee", "instructor"))
    got: list = []
    session_id = f"{person.id}:{person.session_epoch}"
    db.session.rollback()
    sql = statements_during(lambda: got.append(services.load_session_user(session_id)))
    assert len([s for s in sql if s.lstrip().upper().startswith("SELECT")]) == 1, sql
    signed_in = got[0]
    assert isinstance(signed_in, SignedIn) and signed_in.id == person.id and signed_in.email == person.email
    assert signed_in.roles == {Role.TRAINEE, Role.INSTRUCTOR} and signed_in.is_instructor and not signed_in.is_admin
    assert signed_in.get_id() == person.get_id()


def test_a_stale_epoch_an_inactive_account_and_nonsense_load_nobody(app, make_user):
    person = make_user()
    assert services.load_session_user(f"{person.id}:{person.session_epoch + 1}") is None
    assert services.load_session_user(f"{person.id}:99999999999999999999") is None
    assert services.load_session_user("x:1") is None and services.load_session_user(f"{person.id}") is None
    gone = make_user(is_active=False)
    assert services.load_session_user(f"{gone.id}:{gone.session_epoch}") is None
    assert services.load_session_user(f"{person.id}:{person.session_epoch}") is not None


def test_a_role_change_holds_from_the_next_request(app, make_user, login):
    admin, person = make_user(roles=("admin",)), make_user(roles=("trainee",))
    client = login(app, person)
    assert client.get("/teach/").status_code in (403, 404)
    services.set_roles(admin.id, person.id, ["trainee", "instructor"], now=utcnow())
    assert client.get("/teach/").status_code == 200
    services.set_roles(admin.id, person.id, ["trainee"], now=utcnow())
    assert client.get("/teach/").status_code in (403, 404)


def test_a_new_name_shows_on_the_next_page(app, make_user, login):
    admin, person = make_user(roles=("admin",)), make_user(display_name="Ana Before")
    client = login(app, person)
    assert "Ana Before" in client.get("/").get_data(as_text=True)
    services.rename(admin.id, person.id, "Ana After", now=utcnow())
    page = client.get("/").get_data(as_text=True)
    assert "Ana After" in page and "Ana Before" not in page


def signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_elsewhere_deactivation_and_a_password_change_end_the_session_at_the_next_request(
        app, make_user, login, password):
    admin = make_user(roles=("admin",))
    for end in ("elsewhere", "deactivated", "password"):
        person = make_user()
        client = login(app, person)
        assert client.get("/").status_code == 200
        if end == "elsewhere":
            services.end_sessions(person.id)
        elif end == "deactivated":
            services.set_active(admin.id, person.id, False, now=utcnow())
        else:
            services.change_password(person.id, password, "a brand new passphrase 42", now=utcnow())
        assert signed_out(client.get("/")), end
