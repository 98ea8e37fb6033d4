import pytest


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True}


def test_sign_in_without_csrf_token_is_refused(client, make_user, password):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 400
    assert "sign-in form has expired" in response.get_data(as_text=True)


def test_sign_in_with_csrf_token_works(client, make_user, password, csrf_token_from):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302


def test_json_post_without_csrf_header_is_refused(client, make_user, password, csrf_token_from):
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert client.post("/logout", json={}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_thirty_wrong_passwords_are_answered_429(client, make_user, csrf_token_from):
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


# RFC 8058 one-click unsubscribe: mail programs POST with no session and no form token
CSRF_EXEMPT = {"/unsubscribe/1"}


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, make_user, password, csrf_token_from):
    """Walk the URL map: every POST/PUT/PATCH/DELETE route, asked by a signed-in administrator
    without a token, answers 400 (the CSRF check runs before anything else)."""
    admin = make_user(roles=("admin", "instructor"))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin.email, "password": password, "csrf_token": token})
    checked = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods:
            continue
        path = rule.rule
        for name in rule.arguments:
            converter = rule._converters[name].__class__.__name__
            path = path.replace(f"<{'int:' if converter == 'IntegerConverter' else ''}{name}>", "1")
            path = path.replace(f"<path:{name}>", "x").replace(f"<{name}>", "x")
        for method in methods:
            response = client.open(path, method=method, data={"anything": "1"})
            if path in CSRF_EXEMPT:   # the signed token in the address is the authority; a forged one is refused
                assert response.status_code == 404, (method, path, response.status_code)
                continue
            assert response.status_code == 400, (method, path, response.status_code)
            checked.append(path)
    assert any(p.startswith("/live/") for p in checked) and "/join" in checked and len(checked) > 30
