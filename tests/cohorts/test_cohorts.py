import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort, Enrolment
from app.db import utcnow
from app.extensions import db


def test_admin_creates_a_cohort_with_instructors_and_enrols_trainees(app, make_user, admin_client):
    client, admin = admin_client()
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher")
    make_user(email="ana@example.org")
    ben = make_user(email="ben@example.org")
    response = client.post("/admin/cohorts/new", data={"name": "Spring <b>2027</b>", "track": "live",
                                                       "starts_on": "2027-03-01", "ends_on": "2027-03-02",
                                                       "instructors": [str(teacher.id)]})
    assert response.status_code == 302
    cohort = db.session.scalar(sa.select(Cohort))
    assert cohort.name == "Spring <b>2027</b>" and cohort.track == "live" and [u.id for u in cohort.instructors] == [teacher.id]
    assert len(cohort.enrolment_code) == 8
    page = client.post(f"/admin/cohorts/{cohort.id}/enrol", data={"emails": "ANA@example.org\nben@example.org"},
                       follow_redirects=True).get_data(as_text=True)
    assert "2 trainees added" in page and "Spring &lt;b&gt;2027&lt;/b&gt;" in page
    bad = client.post(f"/admin/cohorts/{cohort.id}/enrol", data={"emails": "nobody@example.org"})
    assert bad.status_code == 422 and "No account for: nobody@example.org" in bad.get_data(as_text=True)
    client.post(f"/admin/cohorts/{cohort.id}/unenrol/{ben.id}")
    assert [u.email for u in cohorts.trainees(cohort.id)] == ["ana@example.org"]
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["cohort.create", "cohort.enrol", "cohort.enrol", "cohort.unenrol"]
    log = client.get("/admin/audit?action=cohort.enrol").get_data(as_text=True)
    assert "ana@example.org" in log and "cohort.unenrol</code>" not in log


def test_cohort_form_errors_keep_input(app, make_user, admin_client):
    client, _admin = admin_client()
    make_user(roles=("trainee",))
    response = client.post("/admin/cohorts/new", data={"name": "Backwards", "track": "live",
                                                       "starts_on": "2027-03-05", "ends_on": "2027-03-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot end before it starts" in page and 'value="Backwards"' in page
    cohorts.save_cohort(1, None, name="Taken", track="live", starts_on=None, ends_on=None, instructor_ids=[], now=utcnow())
    dup = client.post("/admin/cohorts/new", data={"name": "taken", "track": "live"})
    assert dup.status_code == 422 and "already a cohort called" in dup.get_data(as_text=True)


def test_an_instructor_id_no_table_can_hold_is_a_form_error_not_a_500(app, admin_client):
    """Found by the fuzz test on PostgreSQL: -2594465819491718656 reached the query and overflowed
    INTEGER (a 500). Ids outside 1 .. 2**31 - 1 are refused by the form."""
    client, _admin = admin_client()
    for wild in ("-2594465819491718656", "2147483648", "0", "-1", "1e3"):
        response = client.post("/admin/cohorts/new", data={"name": f"Wild {wild}", "track": "live", "instructors": wild})
        assert response.status_code == 422, wild
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0


def test_audit_log_is_append_only(app, make_user, admin_client):
    client, admin = admin_client()
    client.post("/admin/cohorts/new", data={"name": "Audit me", "track": "self-study"})
    event_id = db.session.scalar(sa.select(AuditEvent.id))
    for statement in (sa.update(AuditEvent).where(AuditEvent.id == event_id).values(action="forged"),
                      sa.delete(AuditEvent).where(AuditEvent.id == event_id)):
        try:
            db.session.execute(statement)
            db.session.commit()
        except sa.exc.DatabaseError as exc:
            db.session.rollback()
            assert "append-only" in str(exc)
        else:
            raise AssertionError("the audit log accepted a change")
    assert db.session.get(AuditEvent, event_id).action == "cohort.create"


def test_account_actions_are_audited(app, make_user, admin_client):
    client, admin = admin_client()
    person = make_user(display_name="Pat Person")
    client.post(f"/admin/users/{person.id}", data={"roles": ["trainee", "instructor"]})
    client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{person.id}/link", data={"purpose": "reset"})
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user.roles", "user.deactivate", "user.reset-link"]
    assert events[0].details == {"before": ["trainee"], "after": ["instructor", "trainee"]}
    assert all(e.actor_id == admin.id and "Pat Person" in e.target_label for e in events)


def test_join_with_code_and_self_registration(app, make_user, client, password):
    admin = make_user(roles=("admin",))
    cohort = cohorts.save_cohort(admin.id, None, name="Open house", track="self-study", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    assert client.get("/register").status_code == 404  # switched off by default
    cohorts.set_self_registration(admin.id, True, now=utcnow())
    bad = client.post("/register", data={"display_name": "Nia New", "email": "nia@example.org",
                                         "password": "harbour quilt meadow", "code": "WRONG123"})
    assert bad.status_code == 422 and "not valid" in bad.get_data(as_text=True)
    code = cohort.enrolment_code.lower()[:4] + "-" + cohort.enrolment_code.lower()[4:]
    ok = client.post("/register", data={"display_name": "Nia New", "email": "nia@example.org",
                                        "password": "harbour quilt meadow", "code": code})
    assert ok.status_code == 302
    nia = db.session.scalar(sa.select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    assert nia is not None and nia.source == "code"
    other = make_user()
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": password})
    assert second.post("/cohorts/join", data={"code": "nope"}).status_code == 422
    second.post("/cohorts/join", data={"code": cohort.enrolment_code})
    second.post("/cohorts/join", data={"code": cohort.enrolment_code})  # twice: enrolled once
    assert len(cohorts.trainees(cohort.id)) == 2


def test_completion_report_csv_escapes_formulas(app, make_user, admin_client):
    client, admin = admin_client()
    cohort = cohorts.save_cohort(admin.id, None, name="Report", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    evil = make_user(display_name="=HYPERLINK(\"http://x\")", email="evil@example.org")
    cohorts.enrol(admin.id, cohort.id, [evil.id], now=utcnow())
    text = client.get(f"/admin/cohorts/{cohort.id}/completion.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "evil@example.org" in text and "Complete 22 more lessons" in text
