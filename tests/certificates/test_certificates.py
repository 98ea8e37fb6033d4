import io
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import AlreadyIssued, NotEligible
from app.extensions import db

HOSTILE = '<img src="file:///etc/passwd"> Zoë Ångström'


def test_issue_needs_eligibility_or_an_override(app, make_user):
    person = make_user(display_name="Not Yet")
    with pytest.raises(NotEligible) as info:
        services.issue(None, person.id, catalog(), now=utcnow())
    assert any("Complete 22 more lessons" in m for m in info.value.unmet)
    certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason="Pilot cohort, assessed live")
    assert certificate.override_reason == "Pilot cohort, assessed live" and certificate.status == "valid"
    with pytest.raises(AlreadyIssued):
        services.issue(None, person.id, catalog(), now=utcnow(), override_reason="again")


def test_eligible_trainee_gets_a_stored_pdf_with_snapshot(app, make_user, make_eligible):
    person = make_user(display_name=HOSTILE)
    make_eligible(person.id)
    certificate = services.issue(None, person.id, catalog(), now=utcnow())
    pdf = services.pdf_of(certificate.id)
    assert pdf.startswith(b"%PDF") and certificate.sha256 == __import__("hashlib").sha256(pdf).hexdigest()
    assert certificate.holder_name == HOSTILE and certificate.course_code == catalog().course.code
    assert certificate.override_reason is None and len(certificate.code) == 17
    # the snapshot never changes: renaming the person leaves the certificate alone
    db.session.get(User, person.id).display_name = "Renamed"
    db.session.commit()
    assert db.session.get(Certificate, certificate.id).holder_name == HOSTILE


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_and_hostile_name_stay_inert(app, make_user, tmp_path):
    person = make_user(display_name=HOSTILE)
    certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason="test")
    path = tmp_path / "c.pdf"
    path.write_bytes(services.pdf_of(certificate.id))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert '<img src="file:///etc/passwd"> Zoë Ångström' in flat
    assert certificate.display_code in flat and "Cluster Development" in flat and "root:" not in text


def test_verify_pages_valid_revoked_superseded_unknown(app, client, make_user, login):
    admin = make_user(roles=("admin",))
    person = make_user(display_name="Ana Ruiz")
    first = services.issue(admin.id, person.id, catalog(), now=utcnow(), override_reason="test")
    page = client.get(f"/verify/{first.display_code.lower()}").get_data(as_text=True)
    assert "Valid certificate" in page and "Ana Ruiz" in page and "linkedin.com/profile/add" not in page
    assert person.email not in page  # holder name, course, dates and issuer only
    assert "linkedin.com/profile/add" in login(app, person).get(f"/verify/{first.display_code}").get_data(as_text=True)
    db.session.get(User, person.id).display_name = "Ana Ruiz-Ortega"
    db.session.commit()
    second = services.reissue(admin.id, first.display_code, catalog(), now=utcnow())
    old = client.get(f"/verify/{first.code}").get_data(as_text=True)
    assert "Superseded" in old and second.display_code in old
    assert "Ana Ruiz-Ortega" in client.get(f"/verify/{second.display_code}").get_data(as_text=True)
    services.revoke(admin.id, second.display_code, "Issued in error", now=utcnow())
    revoked = client.get(f"/verify/{second.display_code}").get_data(as_text=True)
    assert "Revoked" in revoked and "Issued in error" not in revoked  # the reason is for administrators
    unknown_a = client.get("/verify/AAAA-AAAA-AAAA-AAAA-A")
    unknown_b = client.get("/verify/not-a-code")
    assert unknown_a.status_code == unknown_b.status_code == 404
    assert unknown_a.get_data() == unknown_b.get_data()


def test_download_is_for_the_holder_and_admins_only(app, make_user, login):
    holder, other, admin = make_user(), make_user(), make_user(roles=("admin",))
    certificate = services.issue(None, holder.id, catalog(), now=utcnow(), override_reason="test")
    url = f"/certificates/{certificate.display_code}.pdf"
    assert login(app, holder).get(url).data.startswith(b"%PDF")
    assert login(app, admin).get(url).status_code == 200
    assert login(app, other).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # sign in first
    progress = login(app, holder).get("/progress").get_data(as_text=True)
    assert "Download certificate" in progress and certificate.display_code in progress


def test_uploaded_pdf_is_checked_against_the_stored_hash(app, client, make_user):
    person = make_user()
    certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason="test")
    pdf = services.pdf_of(certificate.id)

    def check(data):
        return client.post("/verify", data={"pdf": (io.BytesIO(data), "mine.pdf")},
                           content_type="multipart/form-data").get_data(as_text=True)

    assert "Authentic" in check(pdf) and certificate.display_code in check(pdf)
    tampered = bytearray(pdf)
    tampered[len(tampered) // 2] ^= 0x01
    assert "does not match any certificate we issued" in check(bytes(tampered))


def test_admin_cohort_page_issues_overrides_and_bulk_issues(app, make_user, login, make_eligible):
    admin = make_user(roles=("admin",))
    ready, not_ready = make_user(display_name="Ready"), make_user(display_name="Not Ready")
    cohort = cohorts.save_cohort(admin.id, None, name="Cert cohort", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [ready.id, not_ready.id], now=utcnow())
    make_eligible(ready.id)
    client = login(app, admin)
    page = client.get(f"/admin/cohorts/{cohort.id}/certificates").get_data(as_text=True)
    assert "Eligible" in page and "Complete 22 more lessons" in page
    refused = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue", data={"user_id": not_ready.id},
                          follow_redirects=True).get_data(as_text=True)
    assert "give an override reason" in refused
    job = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue-all")
    assert "Issued 1 certificates in Cert cohort; 1 trainees" in client.get(job.location).get_data(as_text=True)
    client.post(f"/admin/cohorts/{cohort.id}/certificates/issue", data={"user_id": not_ready.id,
                                                                        "override_reason": "Assessed in person"})
    rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert [(r.user_id, r.override_reason) for r in rows] == [(ready.id, None), (not_ready.id, "Assessed in person")]
    from app.audit.models import AuditEvent

    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "certificate.issue")) == 2
    assert login(app, ready).get(f"/admin/cohorts/{cohort.id}/certificates").status_code == 403


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_cli_issue_verify_export_revoke(app, runner, client, make_user, tmp_path):
    person = make_user(email="cli@example.org", display_name="Cli Person")
    refused = runner.invoke(args=["certificates", "issue", "--email", "cli@example.org"])
    assert refused.exit_code != 0 and "Not eligible" in refused.output
    result = runner.invoke(args=["certificates", "issue", "--email", "cli@example.org", "--override-reason", "demo"])
    assert result.exit_code == 0, result.output
    code = result.output.strip().splitlines()[-1]
    assert "Valid certificate" in client.get(f"/verify/{code}").get_data(as_text=True)
    target = tmp_path / "out.pdf"
    assert runner.invoke(args=["certificates", "export", code, str(target)]).exit_code == 0
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
    assert "Cli Person" in text and code in " ".join(text.split()) and "Cluster Development" in text
    assert runner.invoke(args=["certificates", "revoke", code, "--reason", "test"]).exit_code == 0
    assert "Revoked" in client.get(f"/verify/{code}").get_data(as_text=True)
    assert client.get("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z").status_code == 404
    cohort = runner.invoke(args=["certificates", "issue", "--cohort", "No such cohort"])
    assert cohort.exit_code != 0 and "No cohort called" in cohort.output
    assert services.by_code(code).user_id == person.id


def test_name_correction_then_reissue_through_the_admin_pages(app, make_user, login):
    admin, person = make_user(roles=("admin",)), make_user(display_name="Jon Smiht")
    certificate = services.issue(admin.id, person.id, catalog(), now=utcnow(), override_reason="test")
    client = login(app, admin)
    client.post(f"/admin/users/{person.id}/name", data={"display_name": "Jon Smith"})
    assert db.session.get(User, person.id).display_name == "Jon Smith"
    response = client.post(f"/admin/certificates/{certificate.display_code}/reissue")
    page = client.get(response.location).get_data(as_text=True)
    assert "Jon Smith" in page and "Valid certificate" in page
    assert db.session.get(Certificate, certificate.id).status == "superseded"
