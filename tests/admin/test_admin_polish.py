"""What a first real class tripped over in administration (issue 16, minor items): messages that
name the field, pasted address lists, the audit log naming people, counts in words."""
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.cohorts.models import Cohort
from app.extensions import db


def test_a_too_long_name_is_refused_with_the_field_named_and_counted(app, make_user, admin_client):
    client, _admin = admin_client()
    response = client.post("/admin/cohorts/new", data={"name": "x" * 300, "track": "live"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Cohort name can be up to 120 characters; this one has 300." in page
    assert "Field cannot be longer" not in page


def test_enrolling_reports_what_is_not_an_address_whole(app, make_user, admin_client):
    client, _admin = admin_client()
    make_user(email="ana@example.org")
    client.post("/admin/cohorts/new", data={"name": "Spring", "track": "live"})
    cohort = db.session.scalar(sa.select(Cohort))
    response = client.post(f"/admin/cohorts/{cohort.id}/enrol", data={"emails": "not an email\nana@example.org"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not an email address: “not an email”" in page
    assert "not, an, email" not in page
    response = client.post(f"/admin/cohorts/{cohort.id}/enrol", data={"emails": "Ana Ruiz <ANA@example.org>"},
                           follow_redirects=True)
    assert "1 trainee added" in response.get_data(as_text=True)


def test_the_audit_log_names_a_cohorts_instructors(app, make_user, admin_client):
    client, _admin = admin_client()
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher", email="tess@example.org")
    client.post("/admin/cohorts/new", data={"name": "Spring", "track": "live", "instructors": [str(teacher.id)]})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cohort.create"))
    assert event.details["instructors"] == ["Tess Teacher <tess@example.org>"]
    log = client.get("/admin/audit?action=cohort.create").get_data(as_text=True)
    assert "instructors: Tess Teacher &lt;tess@example.org&gt;" in log


def test_the_roles_panel_does_not_say_roles_twice(app, make_user, admin_client):
    client, admin = admin_client()
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "What this person can do" in page
