import pytest

from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True}


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_sign_in_with_csrf_token_works(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_json_post_without_csrf_header_is_refused(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout", json={}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_thirty_wrong_passwords_are_answered_429(client, make_user):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    statuses = [client.post("/login", data={"email": user.email, "password": f"wrong-{i}", "csrf_token": token}).status_code
                for i in range(30)]
    assert 429 in statuses
    first_429 = statuses.index(429)
    assert all(s == 422 for s in statuses[:first_429]) and set(statuses[first_429:]) == {429}
    page = client.post("/login", data={"email": user.email, "password": "x", "csrf_token": token})
    assert "Too many attempts" in page.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    for path in ("/login", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_oversized_request_gets_styled_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 4096})
    assert response.status_code == 413 and "Upload too large" in response.get_data(as_text=True)
