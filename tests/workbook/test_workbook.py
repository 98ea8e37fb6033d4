"""The course workbook: real page numbers in the contents, editions with and without answer keys."""
import re
import shutil
import subprocess

import pytest

from app.content.catalog import catalog
from app.workbook.build import workbook_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    from app import create_app

    folder = tmp_path_factory.mktemp("workbook")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db"})
    app.instance_path = str(folder)
    out = {}
    with app.app_context():
        for edition in ("trainee", "instructor"):
            path = folder / f"{edition}.pdf"
            path.write_bytes(workbook_pdf(catalog(), edition).pdf)
            out[edition] = path
        out["catalog"] = catalog()
    return out


def page_texts(path):
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_contents_page_numbers_match_where_lessons_start(editions):
    pages = page_texts(editions["trainee"])
    toc = pages[1] + pages[2]
    lessons = editions["catalog"].lessons
    checked = 0
    for lesson in lessons:
        title = lesson.title.replace("'", "’")
        match = re.search(re.escape(lesson.title[:40]).replace("\\ ", r"\s+") + r".*?\.{3,}\s*(\d+)\s*$", toc, re.M)
        if not match:
            match = re.search(re.escape(title[:40]).replace("\\ ", r"\s+") + r".*?\.{3,}\s*(\d+)\s*$", toc, re.M)
        assert match, f"{lesson.title} not in the contents"
        page_number = int(match.group(1))
        landed = " ".join(pages[page_number - 1].split())
        assert " ".join(lesson.title.split())[:30] in landed.replace("’", "'"), (lesson.title, page_number)
        checked += 1
    assert checked == len(lessons) >= 18


def test_trainee_edition_has_no_answers_or_facilitator_notes(editions):
    trainee = " ".join(" ".join(page_texts(editions["trainee"])).split())
    instructor = " ".join(" ".join(page_texts(editions["instructor"])).split())
    quiz = editions["catalog"].quiz("stage-05")
    words = re.findall(r"[A-Za-z]{4,}", quiz.questions[0].explanation)[:6]  # punctuation-free, smart quotes aside
    assert "Answer key" not in trainee and "FACILITATOR NOTES" not in trainee.upper()
    assert "Answer key: Stage 5 knowledge check" in instructor and "Facilitator notes".upper() in instructor.upper()
    assert instructor.count("Answer:") >= sum(len(q.questions) for q in editions["catalog"].quizzes)
    assert re.search(r"\W+".join(words), instructor) and not re.search(r"\W+".join(words), trainee)
    assert "Glossary" in trainee and "Preferred future" in trainee


def test_workbook_is_cached_by_content_hash(editions, tmp_path):
    import time

    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/y.db"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        first = workbook_pdf(catalog(), "trainee")
        start = time.perf_counter()
        again = workbook_pdf(catalog(), "trainee")
        assert time.perf_counter() - start < 0.05 and again.pdf == first.pdf
        assert first.rendered and not again.rendered
        assert list((tmp_path / "cache").glob("workbook-trainee-*.pdf"))


def test_downloads_and_their_access(app, client, make_user, sign_in):
    sign_in(make_user())
    assert client.get("/workbook.pdf?edition=instructor").status_code == 403
    assert client.get("/workbook.pdf?edition=secret").status_code == 404
    progress = client.get("/progress").get_data(as_text=True)
    assert "/workbook.pdf" in progress and "/checklist.pdf" in progress
