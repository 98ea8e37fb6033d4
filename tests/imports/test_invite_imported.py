"""After a CSV import, one click invites everyone it created (issue 16, serious item 8): mailed
when SMTP is set, otherwise a printable sheet of personal links (which the page saves as CSV)."""
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.jobs.models import Job


@pytest.fixture
def import_people(upload_people, people_csv):
    def run(client, n):
        response = upload_people(client, people_csv(n), "import")
        assert response.status_code == 302
        return int(response.location.rsplit("/", 1)[1]), client.get(response.location).get_data(as_text=True)
    return run


def test_without_mail_everyone_imported_gets_a_personal_link_on_a_sheet(app, make_user, import_admin, import_people):
    client = import_admin()
    job_id, page = import_people(client, 3)
    assert "Make invitations for everyone imported" in page and "printable sheet" in page
    # one of them sets a password first (an earlier link): they are left off the sheet
    first = db.session.scalar(sa.select(User).where(User.email == "imp0@example.org"))
    first.password_hash = "set-elsewhere"
    db.session.commit()

    sheet = client.post(f"/admin/jobs/{job_id}/invite")
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    html = sheet.get_data(as_text=True)
    links = re.findall(r"<code>(http://[^<]+/invite/[^<]+)</code>", html)
    assert len(links) == 2 and "Person 1" in html and "Person 2" in html and "Person 0" not in html
    assert "1 of the people imported already set a password" in " ".join(html.split()) and 'data-csv-for="invitations"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.invite-link")) == 2

    person = app.test_client()
    path = links[0].split("127.0.0.1:5000", 1)[-1] if "127.0.0.1:5000" in links[0] else "/" + links[0].split("/", 3)[3]
    response = person.post(path, data={"password": "A fresh long passphrase 42", "confirm": "A fresh long passphrase 42"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.last_sign_in_at).where(User.email == "imp1@example.org")) is not None
    # making invitations again gives new links and cancels the old ones
    again = re.findall(r"<code>(http://[^<]+/invite/[^<]+)</code>", client.post(f"/admin/jobs/{job_id}/invite")
                       .get_data(as_text=True))
    assert len(again) == 1
    old = "/" + links[1].split("/", 3)[3]
    assert "not valid any more" in app.test_client().get(old).get_data(as_text=True)


def test_with_mail_everyone_imported_is_mailed_their_own_link(app, make_user, smtp_server, import_admin, import_people):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False,
                      MAIL_SENDER="lectern@example.org")
    client = import_admin()
    job_id, page = import_people(client, 4)
    assert "Email everyone imported an invitation" in page
    response = client.post(f"/admin/jobs/{job_id}/invite")
    assert response.status_code == 302
    invite_job = db.session.scalar(sa.select(Job).where(Job.kind == "users.invite"))
    for _ in range(200):
        db.session.expire_all()
        if db.session.get(Job, invite_job.id).status == "done":
            break
        __import__("time").sleep(0.05)
    assert "✓ Mailed 4 invitations" in client.get(response.location).get_data(as_text=True)
    invitations = [m for m in smtp_server.messages if "Subject: Your Lectern invitation" in m]
    welcomes = [m for m in smtp_server.messages if "Subject: Welcome to Spring 2027" in m]
    assert len(invitations) == 4 and len(welcomes) == 4 and len(smtp_server.messages) == 8   # the import welcomes
    tokens = {re.search(r"/invite/(\S+)", m).group(1) for m in invitations}
    assert len(tokens) == 4                                        # each their own
    assert all("imp" in m for m in smtp_server.messages)


def test_only_a_finished_import_can_invite_and_only_admins(app, make_user, password, import_admin, import_people):
    client = import_admin()
    job_id, _page = import_people(client, 1)
    trainee = make_user()
    other = app.test_client()
    other.post("/login", data={"email": trainee.email, "password": password})
    assert other.post(f"/admin/jobs/{job_id}/invite").status_code in (403, 404)
    assert client.post("/admin/jobs/999999/invite").status_code == 404
