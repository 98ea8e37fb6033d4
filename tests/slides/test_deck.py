"""The deck builder (app/slides/deck.py) over real and small lessons, and the slide markers."""
import shutil
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content.catalog import load_catalog
from app.content.problems import ContentInvalid
from app.slides import deck as decks
from app.slides.deck import MAX_LINES, build_deck, day_deck, first_sentence, trim

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-course"
NOTE = "SECRET-FACILITATOR-TEXT"

LESSON = """---
title: "Opening"
slug: opening
minutes: 20
stage: 1
objectives:
  - Explain what a cluster is
  - Name two benefits of clustering
---

Welcome to the course. It is short.

## Why clusters matter

Firms in a cluster compete and co-operate. They also share suppliers.

Clusters take years to build. Patience matters.

::: facilitator
SECTION-NOTE: ask who works in a cluster.
:::

## Porter's diamond

- Factor conditions
- Demand conditions
- Related and supporting industries
- Firm strategy, structure and rivalry

<!-- slide -->

A paragraph after the slide break. It continues here.

## Slide-only

This text is on the page. And more.

::: slide
- SLIDE-ONLY-POINT one
- Second point
:::

::: slide A slide of its own
- OWN-SLIDE-POINT
:::

::: activity Map your region
Allow about 10 minutes.

1. List three industries.
2. Rate each one.
:::

::: reflection opening-first-thought
What surprised you?
:::

::: takeaways
- Clusters are local.
- Clusters take time.
:::

## Further reading

- A book nobody reads in class.

::: facilitator
SECRET-FACILITATOR-TEXT: run this for 10 minutes.
:::
"""


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    target = tmp_path / "curriculum"
    shutil.copytree(MINI, target)
    return target


def lesson_with(course_dir: Path, text: str):
    (course_dir / "day-1" / "01-opening.md").write_text(text)
    return load_catalog(course_dir).lesson("opening")


@pytest.fixture(scope="module")
def real_catalog():
    return load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")


def test_title_sections_activity_reflection_takeaways_in_order(course_dir):
    deck = build_deck(lesson_with(course_dir, LESSON), day_label="Day 1")
    kinds_titles = [(s.kind, s.title) for s in deck.slides]
    assert kinds_titles == [
        ("title", "Opening"),
        ("section", "Introduction"),
        ("section", "Why clusters matter"),
        ("section", "Porter’s diamond"),
        ("section", "Porter’s diamond"),            # after the <!-- slide --> break
        ("section", "Slide-only"),
        ("custom", "A slide of its own"),
        ("activity", "Map your region"),
        ("reflection", "Reflection"),
        ("takeaways", "Key takeaways"),
    ]
    assert [s.number for s in deck.slides] == list(range(1, 11))
    title = deck.slides[0]
    assert title.eyebrow == "Day 1 · Stage 1 of 12"
    assert [p.text for p in title.points] == ["Objectives", "Explain what a cluster is", "Name two benefits of clustering"]
    # Key points: the bullet list when there is one, else the first sentence of each paragraph.
    assert [p.text for p in deck.slides[2].points] == ["Firms in a cluster compete and co-operate.",
                                                       "Clusters take years to build. Patience matters."]
    assert [p.text for p in deck.slides[3].points][:2] == ["Factor conditions", "Demand conditions"]
    assert [p.text for p in deck.slides[4].points] == ["A paragraph after the slide break."]
    activity = deck.slides[7]
    assert activity.timing == "About 10 minutes" and activity.eyebrow == "Activity"
    assert [p.text for p in activity.points] == ["List three industries.", "Rate each one."]
    assert [p.text for p in deck.slides[9].points] == ["Clusters are local.", "Clusters take time."]
    assert not any("nobody reads" in p.text for s in deck.slides for p in s.points)   # Further reading left out


def test_notes_go_with_their_slide_and_lesson_wide_notes_on_the_title(course_dir):
    deck = build_deck(lesson_with(course_dir, LESSON))
    with_notes = {s.title: "".join(s.notes) for s in deck.slides if s.notes}
    assert set(with_notes) == {"Opening", "Why clusters matter"}
    assert NOTE in with_notes["Opening"] and "SECTION-NOTE" in with_notes["Why clusters matter"]
    assert all(not s.public().notes for s in deck.slides)


def test_slide_only_content_replaces_the_derived_points_and_stays_off_the_page(course_dir):
    lesson = lesson_with(course_dir, LESSON)
    deck = build_deck(lesson)
    slide_only = next(s for s in deck.slides if s.title == "Slide-only")
    assert [p.text for p in slide_only.points] == ["SLIDE-ONLY-POINT one", "Second point"]
    page = " ".join(str(s.html) for s in lesson.segments)
    assert "SLIDE-ONLY-POINT" not in page and "OWN-SLIDE-POINT" not in page
    assert "This text is on the page." in page
    assert "SLIDE-ONLY" not in " ".join(text for _, _, text in lesson.section_texts)   # nor in search
    assert [m.kind for m in lesson.slide_marks] == ["slide-break", "slide", "slide"]


def test_long_sections_are_split_and_every_slide_fits(course_dir):
    items = "\n".join(f"- Point number {n} that is long enough to take most of one line on a slide, surely" for n in range(14))
    lesson = lesson_with(course_dir, LESSON.replace("- Factor conditions", items + "\n- Factor conditions"))
    slides = [s for s in build_deck(lesson).slides if s.title.startswith("Porter")]
    assert [s.title for s in slides][:3] == ["Porter’s diamond", "Porter’s diamond (continued)", "Porter’s diamond (continued)"]
    assert all(s.fits for s in slides)


def test_trimming():
    assert trim("one two three four", 10) == "one two…"
    assert trim("short", 10) == "short"
    assert first_sentence("Targets matter. The Greenbook lists reasons. More.") == "Targets matter. The Greenbook lists reasons."
    assert first_sentence("A long enough first sentence goes here. Second one.") == "A long enough first sentence goes here."


def test_every_lesson_of_the_real_course_fits_the_16_9_budget(real_catalog):
    for lesson in real_catalog.lessons:
        deck = build_deck(lesson, day_label=f"Day {lesson.day_number}")
        assert len(deck) >= 4, lesson.slug
        assert deck.slides[0].kind == "title"
        for slide in deck.slides:
            assert slide.fits, (lesson.slug, slide.number, slide.title, slide.body_lines)
            assert slide.points or slide.kind == "title", (lesson.slug, slide.title)
            limit = decks.WHOLE_CHARS if slide.kind in ("takeaways", "reflection") else decks.POINT_CHARS
            assert all(len(p.text) <= limit for p in slide.points)
        assert any(s.kind == "takeaways" for s in deck.slides), lesson.slug
        assert any(s.notes for s in deck.slides), lesson.slug   # every lesson has facilitator notes


def test_the_real_lessons_use_the_markers(real_catalog):
    for slug in ("stage-05-developing-the-clusters-vision", "stage-01-introducing-relevance-of-cluster-development"):
        lesson = real_catalog.lesson(slug)
        assert {m.kind for m in lesson.slide_marks} == {"slide", "slide-break"}, slug
    deck = build_deck(real_catalog.lesson("stage-05-developing-the-clusters-vision"))
    assert "Pitfalls of a visioning workshop" in [s.title for s in deck.slides]


def test_a_day_deck_has_a_cover_then_each_lesson(real_catalog):
    lessons = real_catalog.day_lessons(1)
    deck = day_deck(lessons, day_label="Day 1", day_title="Day 1: the start")
    assert deck.slides[0].title == "Day 1: the start" and deck.slides[0].kind == "cover"
    assert [p.text for p in deck.slides[0].points] == [lesson.title for lesson in lessons]   # every lesson named
    assert deck.slides[0].fits
    assert len(deck) == 1 + sum(len(build_deck(lesson)) for lesson in lessons)
    assert [s.number for s in deck.slides] == list(range(1, len(deck) + 1))
    assert max(s.body_lines for s in deck.slides if s.kind not in ("title", "cover")) <= MAX_LINES


@pytest.mark.parametrize(("line", "message"), [
    ("<!-- slides -->", "a slide break is written '<!-- slide -->' on a line of its own"),
    ("<!-- slide break -->", "a slide break is written '<!-- slide -->' on a line of its own"),
    ("::: slide-break", "a slide break is written '<!-- slide -->'"),
    ("::: slides", "unknown block '::: slides'"),
])
def test_malformed_markers_are_reported_with_their_line(course_dir, line, message):
    path = course_dir / "day-1" / "01-opening.md"
    text = path.read_text().replace("## Why clusters matter\n", f"## Why clusters matter\n\n{line}\n")
    path.write_text(text)
    number = text.split("\n").index(line) + 1
    with pytest.raises(ContentInvalid) as info:
        load_catalog(course_dir)
    found = [str(p) for p in info.value.problems]
    assert any(f"01-opening.md:{number}: {message}" in p for p in found), found


def test_a_break_inside_a_block_and_an_empty_slide_block_are_reported(course_dir):
    path = course_dir / "day-1" / "01-opening.md"
    text = path.read_text().replace("List three industries in your region.",
                                    "List three industries in your region.\n\n<!-- slide -->")
    text = text.replace("## Key points\n", "## Key points\n\n::: slide\n:::\n")
    path.write_text(text)
    lines = text.split("\n")
    with pytest.raises(ContentInvalid) as info:
        load_catalog(course_dir)
    found = [str(p) for p in info.value.problems]
    assert any(f":{lines.index('<!-- slide -->') + 1}: a slide break goes between paragraphs" in p for p in found), found
    assert any(f":{lines.index('::: slide') + 1}: the '::: slide' block is empty" in p for p in found), found


def test_content_check_reports_a_bad_marker(runner, app, tmp_path):
    course = tmp_path / "curriculum"
    shutil.copytree(PROJECT_ROOT / "curriculum", course)
    path = next(course.glob("day-1/08-*.md"))
    path.write_text(path.read_text().replace("<!-- slide -->", "<!-- slide next -->", 1))
    app.config["CURRICULUM_DIR"] = str(course)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "08-stage-05-developing-the-clusters-vision.md:" in result.output
    assert "a slide break is written '<!-- slide -->'" in result.output
