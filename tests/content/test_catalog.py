"""Loading content: the real course passes; broken and malicious fixtures are caught or neutralised."""
import shutil
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content.catalog import load_catalog
from app.content.problems import ContentInvalid

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-course"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    target = tmp_path / "curriculum"
    shutil.copytree(MINI, target)
    return target


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as info:
        load_catalog(directory)
    return [str(p) for p in info.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_mini_course_loads_in_agenda_order(course_dir):
    catalog = load_catalog(course_dir)
    assert [lesson.slug for lesson in catalog.lessons] == ["opening", "closing"]
    opening = catalog.lesson("opening")
    assert [s.kind for s in opening.segments] == ["text", "activity", "reflection", "text", "takeaways", "facilitator"]
    assert opening.reflection_keys == ("opening-first-thought",)
    assert [h.text for h in opening.headings] == ["Why clusters matter", "Key points"]
    assert 'href="/lessons/closing#wrap-up"' in str(opening.segments[0].html)
    assert catalog.neighbours(opening) == (None, catalog.lesson("closing"))
    assert [e.term for e in catalog.glossary] == ["Cluster"]
    assert len(opening.content_hash) == 64


def test_the_real_course_loads():
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    day1, day2 = catalog.day_lessons(1), catalog.day_lessons(2)
    assert len(day1) >= 10 and len(day2) >= 8
    assert sorted(lesson.stage for lesson in catalog.lessons if lesson.stage) == list(range(1, 13))
    assert catalog.words >= 20_000


def test_broken_front_matter_is_reported_with_file_and_line(course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    edit(lesson, "minutes: 20", "minutes: twenty\ncolour: red")
    found = problems_of(course_dir)
    assert not any("names lesson 'opening'" in p for p in found), found  # one problem, reported once
    assert any(p.endswith("day-1/01-opening.md:4: 'minutes' must be a whole number of minutes between 1 and 600") for p in found), found
    assert any("day-1/01-opening.md:5: unknown front-matter key 'colour'" in p for p in found), found


def test_yaml_syntax_error_points_at_the_line(course_dir):
    edit(course_dir / "day-2" / "01-closing.md", "objectives:\n  - Summarise the course", "objectives: [unclosed")
    found = problems_of(course_dir)
    assert any("day-2/01-closing.md:5: YAML" in p or "day-2/01-closing.md:6: YAML" in p for p in found), found


def test_unclosed_unknown_and_nested_blocks(course_dir):
    lesson = course_dir / "day-2" / "01-closing.md"
    lesson.write_text(lesson.read_text() + "\n::: sidebar\nx\n:::\n\n::: activity Outer\n::: takeaways\n- a\n:::\n\n::: activity Never closed\ntext\n")
    found = problems_of(course_dir)
    text = "\n".join(found)
    assert "unknown block '::: sidebar'" in text
    assert "opens a block inside the '::: activity' block" in text
    assert "is never closed" in text


def test_cross_file_problems(course_dir):
    (course_dir / "day-1" / "02-orphan.md").write_text("---\ntitle: Orphan\nslug: orphan\nminutes: 5\nobjectives: [x]\n---\n\nText [bad](no-such-lesson.md).\n")
    (course_dir / "day-2" / "02-copy.md").write_text("---\ntitle: Copy\nslug: opening\nminutes: 5\nobjectives: [x]\nglossary:\n  cluster: again\n---\n\n::: reflection closing-next-step\nDuplicate id.\n:::\n")
    edit(course_dir / "course.yaml", "lessons: [closing]", "lessons: [closing, missing-lesson]")
    edit(course_dir / "day-2" / "01-closing.md", "minutes: 15", "minutes: 15\nquiz: quiz-that-does-not-exist")
    found = "\n".join(problems_of(course_dir))
    assert "day-1/02-orphan.md:1: course.yaml does not place this lesson in any agenda item" in found
    assert "'slug' is 'opening' but the file name says 'copy'" in found
    assert "course.yaml:16: Day 2 agenda item 'Closing' names lesson 'missing-lesson'" in found
    assert "quiz 'quiz-that-does-not-exist' does not exist" in found


def test_broken_internal_link_and_duplicates_are_reported(course_dir):
    edit(course_dir / "day-2" / "01-closing.md", "## Wrap up", "## Wrap up\n\nSee [stage 9](stage-09-missing.md).")
    edit(course_dir / "day-2" / "01-closing.md", "minutes: 15", "minutes: 15\nglossary:\n  CLUSTER: Duplicate.")
    edit(course_dir / "day-2" / "01-closing.md", "closing-next-step", "opening-first-thought")
    found = "\n".join(problems_of(course_dir))
    assert "day-2/01-closing.md:13: link 'stage-09-missing.md' does not lead to a lesson" in found
    assert "day-2/01-closing.md:6: glossary term 'CLUSTER' is already defined in" in found
    assert "reflection id 'opening-first-thought' is also used" in found


MALICIOUS = """
<script>alert('x')</script>
<iframe src="https://evil.example"></iframe>
<style>body{display:none}</style>

<img src=x onerror="alert(1)">

[click](javascript:alert(1)) and <a href="#" onclick="steal()">here</a>

<div markdown="1" onmouseover="x()">**bold inside**</div>

::: activity <b onclick="x()">Title</b>
<script>inside()</script>
:::
"""


def test_malicious_markdown_is_neutralised(course_dir):
    lesson = course_dir / "day-2" / "01-closing.md"
    lesson.write_text(lesson.read_text() + MALICIOUS)
    catalog = load_catalog(course_dir)
    html = " ".join(str(s.html) for s in catalog.lesson("closing").segments)
    for bad in ("<script", "<iframe", "<style", "onerror", "onclick", "onmouseover", "javascript:", "<img"):
        assert bad not in html.lower(), bad
    assert "<strong>bold inside</strong>" in html
    activity = next(s for s in catalog.lesson("closing").segments if s.kind == "activity")
    assert activity.title == '<b onclick="x()">Title</b>'  # plain text: the template escapes it
