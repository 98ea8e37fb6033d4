"""The SCORM 1.2 package built from the real course (app/scorm/package.py): the manifest by the
packaging rules an LMS applies, what the pages hold (never facilitator notes or slide-only
content), the answer keys quiz.js scores with, and the same bytes for the same content."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.content.catalog import load_catalog
from app.content.rendering import plain_text
from app.scorm import package
from tests.scorm import manifest_rules

REPO = Path(__file__).resolve().parents[2]
CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "curriculum", REPO / "quizzes")


@pytest.fixture(scope="module")
def zipped(catalog) -> bytes:
    return package.build(catalog)


@pytest.fixture(scope="module")
def entries(zipped) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_manifest_follows_the_scorm_1_2_packaging_rules(zipped):
    assert manifest_rules.problems(zipped) == []


def test_the_rules_catch_what_an_lms_would_refuse(entries):
    """The checker itself: a missing launch file, a dangling identifierref, a duplicate id, junk."""
    def rezip(files: dict[str, bytes]) -> bytes:
        return package.build_zip(files)

    manifest = entries["imsmanifest.xml"].decode()
    broken = dict(entries)
    del broken["lessons/what-are-clusters.html"]
    assert any("launch file lessons/what-are-clusters.html" in p for p in manifest_rules.problems(rezip(broken)))
    dangling = {**entries, "imsmanifest.xml": manifest.replace('identifierref="res-quiz-stage-01"',
                                                               'identifierref="res-nowhere"').encode()}
    assert any("names no resource" in p for p in manifest_rules.problems(rezip(dangling)))
    twice = {**entries, "imsmanifest.xml": manifest.replace('identifier="day-2"', 'identifier="day-1"').encode()}
    assert any("used twice" in p for p in manifest_rules.problems(rezip(twice)))
    junk = {**entries, "notes.txt": b"left over"}
    assert manifest_rules.problems(rezip(junk)) == ["notes.txt is in the zip but no resource lists it"]
    version = {**entries, "imsmanifest.xml": manifest.replace("<schemaversion>1.2", "<schemaversion>1.3").encode()}
    assert any("schemaversion" in p for p in manifest_rules.problems(rezip(version)))


def test_days_hold_each_lesson_then_its_check_and_the_day_assessment_last(catalog, entries):
    root = ElementTree.fromstring(entries["imsmanifest.xml"])  # noqa: S314 - our own package
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == "1.2"
    org = root.find(f"{CP}organizations/{CP}organization")
    days = org.findall(f"{CP}item")
    assert [d.findtext(f"{CP}title") for d in days] == [day.title for day in catalog.course.days]
    for day, element in zip(catalog.course.days, days, strict=True):
        expected = []
        for lesson in catalog.day_lessons(day.number):
            expected.append(f"lesson-{lesson.slug}")
            if catalog.lesson_quiz(lesson.slug):
                expected.append(f"quiz-{catalog.lesson_quiz(lesson.slug).id}")
        expected += [f"quiz-{q.id}" for q in catalog.quizzes if q.day == day.number]
        assert [i.get("identifier") for i in element.findall(f"{CP}item")] == expected
        assert expected[-1] == f"quiz-day-{day.number}-assessment"
    scos = [r for r in root.iter(f"{CP}resource") if r.get(f"{ADLCP}scormtype") == "sco"]
    assert len(scos) == len(catalog.lessons) + len(catalog.quizzes)
    stage_01 = org.find(f".//{CP}item[@identifier='quiz-stage-01']")
    assert stage_01.findtext(f"{ADLCP}masteryscore") == "70"
    day_1 = org.find(f".//{CP}item[@identifier='quiz-day-1-assessment']")
    assert day_1.findtext(f"{ADLCP}maxtimeallowed") == "00:30:00"


def _facilitator_sentences(catalog) -> list[str]:
    sentences = []
    for lesson in catalog.lessons:
        for segment in lesson.segments:
            if segment.kind == "facilitator":
                sentences += [s.strip() for s in re.split(r"(?<=[.!?:])\s+", plain_text(str(segment.html)))
                              if len(s.strip()) >= 40]
    return sentences


def test_no_file_holds_a_facilitator_note_or_slide_only_content(catalog, entries):
    known = "ask trainees to arrive with a candidate cluster"   # curriculum/day-1/01-what-are-clusters.md
    sentences = _facilitator_sentences(catalog)
    assert any(known in s for s in sentences)       # the known note is a facilitator note…
    assert len(sentences) > 100
    slide_only = [plain_text(str(m.html)) for lesson in catalog.lessons for m in lesson.slide_marks
                  if m.kind == "slide" and len(plain_text(str(m.html))) >= 40]
    assert slide_only
    texts = {name: plain_text(data.decode("utf-8", "replace")) for name, data in entries.items()
             if not name.endswith(".woff2")}
    for name, text in texts.items():              # …and no file of the package holds any of them
        assert known not in text, name
        leaked = [s for s in sentences + slide_only if s in text]
        assert not leaked, (name, leaked[:3])
        if name.endswith(".html"):   # (lectern.css styles the block the app shows instructors)
            assert "Facilitator notes" not in text and "block--facilitator" not in entries[name].decode(), name
    lesson = texts["lessons/what-are-clusters.html"]
    assert "By the end of this lesson you will be able to:" in lesson
    assert plain_text(str(catalog.lesson("what-are-clusters").segments[0].html))[:200] in lesson


def test_lesson_pages_use_the_apps_typography_and_stay_inside_the_package(entries):
    page = entries["lessons/stage-05-developing-the-clusters-vision.html"].decode()
    assert 'href="../shared/lectern.css"' in page and 'href="../shared/fonts/fonts.css"' in page
    assert entries["shared/lectern.css"] == (REPO / "app/static/css/lectern.css").read_bytes()
    assert 'src="../shared/sco.js"' in page and 'src="../shared/lesson.js"' in page
    assert 'href="/' not in page and 'src="/' not in page   # nothing points back at a Lectern server
    assert "data-lesson-complete" in page


def test_links_to_other_lessons_are_unwrapped():
    html = '<p>See <a href="/lessons/stage-02-analysis-of-local-economy#lq">the LQ</a> and <a href="https://x.org">x</a>.</p>'
    out = str(package.offline_links(html))
    assert out == '<p>See <span class="xref">the LQ</span> and <a href="https://x.org">x</a>.</p>'


def _quiz_data(entries, quiz_id: str) -> dict:
    page = entries[f"quizzes/{quiz_id}.html"].decode()
    raw = re.search(r'<script type="application/json" id="quiz-data">(.*?)</script>', page, re.S)[1]
    return json.loads(raw)


def test_each_quiz_page_carries_the_keys_lectern_scores_with(catalog, entries):
    """quiz.js scores from these keys; each is the type's right answer (the question types' own)."""
    for quiz in catalog.quizzes:
        data = _quiz_data(entries, quiz.id)
        assert data["passMark"] == quiz.pass_mark and data["attempts"] == quiz.attempts
        assert data["draw"] == (quiz.draw or quiz.subset)
        assert [q["id"] for q in data["questions"]] == [q.id for q in quiz.questions]
        for question, carried in zip(quiz.questions, data["questions"], strict=True):
            right = question.kind.right_answer(question.body)
            key = carried["key"]
            if question.type == "numeric":
                assert question.kind.score(question.body, str(key["number"]))[0] == 1.0
            elif question.type == "short_text":
                assert all(question.kind.score(question.body, k)[0] == 1.0 for k in key)
            elif question.type in ("single", "true_false"):
                assert key == [right]
            else:
                assert key == right
            assert carried["points"] == question.points and carried["group"] == question.main_lesson


def test_the_course_uses_only_types_the_package_scores(catalog):
    used = {q.type for quiz in catalog.quizzes for q in quiz.questions}
    assert used <= set(package.SCORED_TYPES)


def test_ordering_items_are_never_shown_in_the_right_order(catalog, entries):
    for quiz in catalog.quizzes:
        page = entries[f"quizzes/{quiz.id}.html"].decode()
        for question in quiz.questions:
            if question.type != "ordering":
                continue
            shown = re.findall(r'data-item="([^"]+)"', page.split(f'id="question-{question.id}"')[1].split("</section>")[0])
            assert sorted(shown) == sorted(question.body.correct) and shown != list(question.body.correct)


def test_the_same_content_gives_the_same_bytes(catalog, zipped):
    assert package.build(catalog) == zipped
    infos = zipfile.ZipFile(io.BytesIO(zipped)).infolist()
    assert infos[0].filename == "imsmanifest.xml"
    assert {i.date_time for i in infos} == {package.ZIP_TIME}
