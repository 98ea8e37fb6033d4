"""Every absolute address comes from LECTERN_BASE_URL, never from the Host header (issue 13)."""
import pytest


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "LECTERN_BASE_URL": "http://192.168.1.20:5000"}


@pytest.mark.parametrize("headers", [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}])
def test_join_address_and_qr_ignore_the_host_header(app, room, headers, start):
    teacher, session = start(app, room)
    # the browser's cookie goes to whatever host it asked for
    teacher.set_cookie("session", teacher.get_cookie("session").value, domain="evil.example")
    for page in ("present", "projector", "projector/panel"):
        response = teacher.get(f"/live/{session.id}/{page}", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "evil.example" not in html, page
        assert "192.168.1.20:5000/join" in html, page
    present = teacher.get(f"/live/{session.id}/present", headers=headers).get_data(as_text=True)
    assert "http://192.168.1.20:5000/join" in present


def test_join_address_ignores_forwarded_host_behind_a_trusted_proxy(app, room, start):
    app.config["LECTERN_TRUSTED_PROXIES"] = 1
    teacher, session = start(app, room)
    html = teacher.get(f"/live/{session.id}/projector", headers={"X-Forwarded-Host": "evil.example",
                                                                  "X-Forwarded-Proto": "https"}).get_data(as_text=True)
    assert "evil.example" not in html and "http://192.168.1.20:5000/join" in html
