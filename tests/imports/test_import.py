import io

import sqlalchemy as sa

from app.auth.models import User
from app.cohorts.models import Enrolment
from app.extensions import db
from app.jobs.models import Job

BAD_ROWS = [(11, "not-an-email,Bad Email,trainee,Spring 2027"),
            (101, "imp1@example.org,Duplicate,trainee,Spring 2027"),
            (201, "imp200@example.org,Unknown Cohort,trainee,Autumn 1999"),
            (301, "imp300@example.org,Unknown Role,wizard,Spring 2027"),
            (401, "imp400@example.org,,trainee,Spring 2027")]


def test_dry_run_reports_every_bad_row_and_imports_nothing(app, make_user, import_admin, people_csv, upload_people):
    client = import_admin()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = upload_people(client, people_csv(bad=BAD_ROWS), "check")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "5 problems found; nothing was imported" in page
    for line, reason in [(12, "bad email"), (102, "duplicate: imp1@example.org is already on line 3"),
                         (202, "unknown cohort &#39;Autumn 1999&#39;"), (302, "unknown role &#39;wizard&#39;"),
                         (402, "the name is empty")]:
        assert f"<strong>Line {line}</strong>: {reason}" in page, (line, reason)
    # the real run refuses too, writing nothing
    job_page = client.get(upload_people(client, people_csv(bad=BAD_ROWS), "import").location).get_data(as_text=True)
    assert "Nothing was imported" in job_page and "line 12: bad email" in job_page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_clean_file_imports_500_in_one_go(app, make_user, import_admin, people_csv, upload_people):
    client = import_admin()
    text = people_csv()
    assert "500 rows are correct" in upload_people(client, text, "check").get_data(as_text=True)
    response = upload_people(client, text, "import")
    assert response.status_code == 302
    job_page = client.get(response.location).get_data(as_text=True)
    assert "Imported 500 rows from people.csv: 500 new accounts, 500 enrolments" in job_page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 500
    assert db.session.scalar(sa.select(Job.status)) == "done"
    imported = db.session.scalar(sa.select(User).where(User.email == "imp7@example.org"))
    assert imported.password_hash is None and [r.value for r in imported.roles] == ["trainee"]


def test_existing_accounts_are_enrolled_not_duplicated(app, make_user, import_admin, upload_people):
    client = import_admin()
    make_user(email="known@example.org")
    text = "email,name,role,cohort\nknown@example.org,Known,trainee,spring 2027\nnew@example.org,New,trainee;instructor,\n"
    client.get(upload_people(client, text, "import").location)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1
    new = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert {r.value for r in new.roles} == {"trainee", "instructor"}
    bad = "email,name,role,cohort\nknown@example.org,Known,trainee,\n"
    assert "already has an account" in upload_people(client, bad, "check").get_data(as_text=True)


def test_header_and_encoding_problems(app, make_user, import_admin, upload_people):
    client = import_admin()
    assert "missing column(s) email" in upload_people(client, "mail,name\nx,y\n", "check").get_data(as_text=True)
    response = client.post("/admin/import", data={"mode": "check", "file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "not UTF-8" in response.get_data(as_text=True)


def test_cli_import_with_dry_run(runner, app, make_user, tmp_path, import_admin, people_csv):
    import_admin()
    path = tmp_path / "people.csv"
    path.write_text(people_csv(20, bad=[(3, "broken,Broken,trainee,Spring 2027")]))
    result = runner.invoke(args=["users", "import", str(path), "--dry-run"])
    assert result.exit_code == 1 and f"{path}:4: bad email 'broken'" in result.output
    path.write_text(people_csv(20))
    assert "20 rows are correct" in runner.invoke(args=["users", "import", str(path), "--dry-run"]).output
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0 and "20 new accounts, 20 enrolments" in result.output


def test_import_runs_in_a_background_job_with_progress(app, make_user, import_admin, people_csv, upload_people):
    import time

    app.config["JOBS_INLINE"] = False
    client = import_admin()
    response = upload_people(client, people_csv(300), "import")
    for _ in range(100):
        page = client.get(response.location).get_data(as_text=True)
        if "Imported 300 rows" in page:
            break
        assert 'http-equiv="refresh"' in page and "<progress" in page
        time.sleep(0.05)
    assert "Imported 300 rows" in page and 'http-equiv="refresh"' not in page
