import pytest
from flask import abort


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_trainee_gets_403_on_admin_pages(client, make_user, sign_in):
    sign_in(make_user())
    for path in ("/admin/", "/admin/users", "/admin/users/new", "/admin/users/1"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Not allowed" in response.get_data(as_text=True)
    assert client.post("/admin/users/1/active", data={"active": "0"}).status_code == 403


def test_instructor_is_not_an_admin(client, make_user, sign_in):
    sign_in(make_user(roles=("instructor",)))
    assert client.get("/admin/users").status_code == 403


def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and 'class="site-header"' in page and "Traceback" not in page


def test_405_is_styled(client):
    response = client.get("/logout")
    assert response.status_code == 405 and "Method not allowed" in response.get_data(as_text=True)


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "PROPAGATE_EXCEPTIONS": False}


def test_unexpected_error_is_a_styled_500_without_traceback(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in page and "secret internals" not in page


def test_json_clients_get_json_errors(client):
    response = client.get("/missing", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["error"] == "Page not found"


def test_400_and_429_pages_exist(app, client):
    @app.get("/bad-for-test")
    def bad():
        abort(400)

    assert "Bad request" in client.get("/bad-for-test").get_data(as_text=True)


def test_healthz_reports_database(client, app):
    app.config["LECTERN_HEALTH_TOKEN"] = "t"
    response = client.get("/healthz", headers={"Authorization": "Bearer t"})
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["reachable"] is True and response.json["database"]["revision"]


def test_names_are_escaped(client, make_user, sign_in, csrf_token_from):
    user = make_user(display_name='<script>alert("x")</script>')
    sign_in(user)
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert csrf_token_from(page)
