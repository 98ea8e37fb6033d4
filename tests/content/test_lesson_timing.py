"""Self-study `minutes` and live facilitator timings, each held to its own measure (app/content/timing.py)."""
import shutil
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content import timing
from app.content.catalog import load_catalog
from app.content.lessons import parse_lesson
from app.content.problems import ContentInvalid
from app.content.rendering import plain_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-course"
FACILITATOR = "SECRET-FACILITATOR-TEXT: run this for 10 minutes."
ACTIVITY = "List three industries in your region."


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


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n"), start=1) if fragment in line)


@pytest.mark.parametrize(("text", "expected"), [
    ("Allow about 25 minutes: 15 for points 1–3 and 10 for point 4.", (25, 25)),
    ("Time: 45–60 minutes. Output: a long list of candidates.", (45, 60)),
    ("For a cluster in your own region (about 40 min):", (40, 40)),
    ("Allow 10 mins.", (10, 10)),
    ("Write Stages 1–7 from memory.", None),
    ("Allow two hours.", None),
])
def test_stated_duration(text, expected):
    assert timing.stated_duration(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("**Timing** (60 min): definitions 15; examples 10.", 60),
    ("**Timing (35 minutes, as in the Day 1 agenda):** 5 min recap; 12 min back-casting.", 35),
    ("**Timing:** about 40 minutes. **How to run it:** groups of four.", 40),
    ("**Timing** (about two and a half hours, 19:00–21:30): arrival 30 min.", None),  # not as digits: unchecked
    (FACILITATOR, None),
])
def test_facilitator_timing(text, expected):
    assert timing.facilitator_timing(text) == expected


def test_reading_minutes_rounds_up():
    assert [timing.reading_minutes(w) for w in (0, 1, 200, 201, 1_000)] == [0, 1, 1, 2, 5]


def test_a_facilitator_timing_that_disagrees_with_the_agenda_is_reported_with_file_and_line(course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    edit(lesson, FACILITATOR, "Run it in a circle.\n\n**Timing** (45 min, as in the Day 1 agenda): " + FACILITATOR)
    found = problems_of(course_dir)
    line = line_of(lesson, "**Timing**")
    assert len(found) == 1, found
    assert f"day-1/01-opening.md:{line}: the facilitator timing says 45 minutes, but the Day 1 agenda item " \
           "'Opening' (09:00–10:00, 60 minutes, " in found[0]
    assert "course.yaml:10) teaches this lesson; both are the live time" in found[0]

    edit(lesson, "(45 min,", "(60 min,")
    assert load_catalog(course_dir).lesson("opening")


def test_minutes_below_what_the_lesson_asks_for_is_reported_on_the_minutes_line(course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    edit(lesson, ACTIVITY, "Allow about 30 minutes.\n\n" + ACTIVITY)
    found = problems_of(course_dir)
    activity_line = line_of(lesson, "::: activity")
    assert len(found) == 1, found
    assert "day-1/01-opening.md:4: 'minutes' is 20, less than the self-study this lesson asks for: 1 to read its" in found[0]
    assert f"and 30 for its activity (line {activity_line}) make 31" in found[0]

    edit(lesson, "minutes: 20", "minutes: 31")
    assert load_catalog(course_dir).lesson("opening").minutes == 31


def test_minutes_far_above_the_estimate_is_reported_as_a_likely_agenda_slot(course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    edit(lesson, ACTIVITY, "Allow 5 minutes.\n\n" + ACTIVITY)
    edit(lesson, "minutes: 20", "minutes: 60")
    found = problems_of(course_dir)
    assert len(found) == 1, found
    assert "day-1/01-opening.md:4: 'minutes' is 60, but self-study of this lesson takes about 6 minutes" in found[0]
    assert "allow at most 16. If 60 is the live time, it belongs in the agenda" in found[0]

    edit(lesson, "minutes: 60", "minutes: 16")
    assert load_catalog(course_dir)


def test_a_range_counts_its_lower_end_for_the_floor_and_its_upper_end_for_the_ceiling(course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    edit(lesson, ACTIVITY, "Time: 45–60 minutes.\n\n" + ACTIVITY)
    edit(lesson, "minutes: 20", "minutes: 45")
    assert any("'minutes' is 45, less than" in p and "make 46" in p for p in problems_of(course_dir))
    edit(lesson, "minutes: 45", "minutes: 92")  # (1 + 60) × 1.5 = 91.5 → at most 92
    assert load_catalog(course_dir)
    edit(lesson, "minutes: 92", "minutes: 93")
    assert any("allow at most 92" in p for p in problems_of(course_dir))


def test_an_untimed_activity_sets_no_ceiling(course_dir):
    edit(course_dir / "day-1" / "01-opening.md", "minutes: 20", "minutes: 600")
    assert load_catalog(course_dir).lesson("opening").minutes == 600


def test_lessons_sharing_an_agenda_item_must_fit_its_slot(course_dir):
    (course_dir / "day-1" / "02-extra.md").write_text(
        "---\ntitle: Extra\nslug: extra\nminutes: 5\nobjectives: [Name one thing]\n---\n\nShort text.\n\n"
        "::: facilitator\n**Timing** (30 min): discussion.\n:::\n")
    edit(course_dir / "course.yaml", "lessons: [opening]", "lessons: [opening, extra]")
    opening = course_dir / "day-1" / "01-opening.md"
    edit(opening, FACILITATOR, "**Timing** (40 min): " + FACILITATOR)
    found = problems_of(course_dir)
    assert len(found) == 1, found
    assert f"day-1/01-opening.md:{line_of(opening, '**Timing**')}: the facilitator timings of the lessons in the " \
           "Day 1 agenda item 'Opening'" in found[0]
    assert "add up to 70 minutes" in found[0]

    edit(opening, "(40 min)", "(30 min)")
    assert [lesson.slug for lesson in load_catalog(course_dir).lessons] == ["opening", "extra", "closing"]


def test_the_shipped_course_passes_and_every_lesson_is_actually_checked():
    """Every shipped lesson states its live timing and its activities' times in a form the check reads,
    so passing means the figures were compared, not skipped."""
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    for lesson in catalog.lessons:
        source, found = parse_lesson(Path(lesson.path), lesson.path, lesson.day_number)  # path relative to cwd
        assert source is not None and not found
        facilitator = [b for b in source.blocks if b.kind == "facilitator"]
        assert any(timing.facilitator_timing(b.text) for b in facilitator), f"{lesson.path}: no checkable **Timing**"
        activities = [b for b in source.blocks if b.kind == "activity"]
        assert activities and all(timing.activity_duration(b) for b in activities), f"{lesson.path}: untimed activity"
        visible = " ".join(str(s.html) for s in lesson.segments if s.kind != "facilitator")
        assert timing.check_self_study(source, len(plain_text(visible).split())) == []
