"""The SCORM package for administrators (the Exports page, audited) and on the command line."""
from __future__ import annotations

import hashlib
import io
import time
import zipfile

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from tests.plugins.factories import signed_in
from tests.scorm import manifest_rules


def test_an_admin_downloads_the_package_and_the_audit_log_says_so(app, admin_client):
    client, admin = admin_client()
    page = client.get("/admin/exports/")
    assert page.status_code == 200
    assert "SCORM 1.2 package" in page.get_data(as_text=True) and "cd-12-scorm12.zip" in page.get_data(as_text=True)
    started = time.perf_counter()
    response = client.post("/admin/exports/scorm")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cd-12-scorm12.zip"'
    data = response.get_data()
    assert manifest_rules.problems(data) == []
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert elapsed < 5   # built in the request (about 0.3 s here): no background job needed
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scorm.export"))
    assert event.actor_id == admin.id and event.target_label == "cd-12-scorm12.zip"
    assert event.details["sha256"] == hashlib.sha256(data).hexdigest() and event.details["bytes"] == len(data)
    assert client.post("/admin/exports/scorm").get_data() == data    # same content, same bytes


def test_only_administrators_reach_the_exports(app, make_user):
    for roles in ((), ("instructor",)):
        client = signed_in(app, make_user(roles=roles))
        assert client.get("/admin/exports/").status_code == 403
        assert client.post("/admin/exports/scorm").status_code == 403
    anonymous = app.test_client()
    assert anonymous.post("/admin/exports/scorm").status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "scorm.export")) == 0


def test_the_command_line_writes_the_same_package(app, runner, tmp_path, admin_client):
    target = tmp_path / "course.zip"
    result = runner.invoke(args=["export", "scorm", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.output
    client, _admin = admin_client()
    assert target.read_bytes() == client.post("/admin/exports/scorm").get_data()
