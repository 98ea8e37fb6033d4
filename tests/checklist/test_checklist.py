import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.checklist.models import ChecklistEntry
from app.extensions import db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(FIXTURES / "mini-quizzes")}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


FORM = {"initiative_name": "Harbour <b>Marine</b> Tech cluster", "answer-open-map": "yes", "answer-close-plan": "partly",
        "note-open-map": "Boat building, aquaculture, logistics", "date-open-map": "2027-03-31",
        "note-close-plan": "Draft by Friday"}


def test_checklist_saves_without_javascript_and_is_private(app, client, make_user, sign_in, password):
    user = make_user()
    sign_in(user)
    page = client.get("/checklist").get_data(as_text=True)
    assert "Map the three biggest industries" in page and "Download PDF" in page
    response = client.post("/checklist", data={**FORM, "group": "opening"})
    assert response.status_code == 302 and response.location.endswith("#group-opening")
    page = client.get("/checklist").get_data(as_text=True)
    assert "Harbour &lt;b&gt;Marine&lt;/b&gt; Tech cluster" in page and "1 of 2 yes" in page
    assert "0 of 1 yes · 1 partly" in page and "1 of 3 yes · 1 partly" in page  # the closing group, overall
    assert 'value="partly" checked' in page and page.count('value="unanswered" checked') == 1
    assert 'value="2027-03-31"' in page
    rows = db.session.scalars(sa.select(ChecklistEntry).where(ChecklistEntry.user_id == user.id)).all()
    assert {r.item_key: r.state for r in rows} == {"open-map": "yes", "close-plan": "partly"}
    other = make_user()
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": password})
    assert "Boat building" not in second.get("/checklist").get_data(as_text=True)


def test_answers_change_and_unknown_values_count_as_unanswered(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    client.post("/checklist", data=FORM)
    client.post("/checklist", data={**FORM, "answer-open-map": "no", "answer-close-plan": "maybe", "answer-open-talk": ""})
    rows = {r.item_key: r.state for r in db.session.scalars(
        sa.select(ChecklistEntry).where(ChecklistEntry.user_id == user.id))}
    assert rows == {"open-map": "no", "close-plan": "unanswered"}
    page = client.get("/checklist").get_data(as_text=True)
    assert "0 of 2 yes · 1 no" in page and 'id="answer-open-map-no" name="answer-open-map" value="no" checked' in page
    assert 'role="radiogroup"' not in page and page.count("<fieldset class=\"check-item__main\">") == 3


def test_bad_fields_re_render_with_the_input_kept(client, make_user, sign_in):
    sign_in(make_user())
    response = client.post("/checklist", data={**FORM, "date-open-map": "31/03/2027", "note-open-talk": "x" * 501})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Use a date like 2027-03-31." in page
    assert "Notes can be up to 500 characters." in page and "Boat building" in page
    assert 'value="partly" checked' in page                  # the answers are kept too


@needs_poppler
def test_personal_and_blank_pdfs(client, make_user, sign_in, tmp_path):
    sign_in(make_user(display_name="Fran Facilitator"))
    client.post("/checklist", data=FORM)
    personal = pdf_text(client.get("/checklist.pdf").data, tmp_path)
    for expected in ("Opening", "Closing", "Harbour <b>Marine</b> Tech cluster", "Boat building, aquaculture, logistics",
                     "Draft by Friday", "Fran Facilitator", "1 of 2 yes", "0 of 1 yes · 1 partly", "Not yet answered", "Page 1 of"):
        assert expected in personal, expected
    blank = pdf_text(client.get("/checklist.pdf?blank=1").data, tmp_path)
    assert "Opening" in blank and "Map the three biggest industries" in blank
    assert "Tick one box per item" in blank and blank.count("Partly") == 3 + 1    # a box per item, and the help line
    assert "Not yet answered" not in blank and "✓" not in blank
    for absent in ("Harbour", "Boat building", "Fran Facilitator", "Draft by Friday"):
        assert absent not in blank, absent
