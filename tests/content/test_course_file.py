from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content.catalog import load_catalog
from app.content.course import load_course
from app.content.problems import ContentInvalid


def test_the_shipped_course_loads_with_two_days():
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    course = catalog.course
    assert course.title and course.code and course.hours > 0
    assert [d.label for d in course.days] == ["Day 1", "Day 2"]
    day1, day2 = course.days
    assert day1.starts == "09:00"
    assert day1.agenda[-1].title == "Cluster Dinner" and day1.agenda[-1].kind == "event"
    assert day2.agenda[0].title == "Key learning from the first day"
    assert "Check list for Cluster Facilitators" in day2.agenda[-1].title
    assert {"break", "lunch"} <= {item.kind for item in day1.agenda}
    assert course.completion.all_lessons and course.completion.day_assessments_passed


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_DAY = """
  - number: 1
    title: "Day 1: x"
    summary: "s"
    agenda:
      - {start: "09:00", end: "10:00", kind: session, title: "A"}
"""


def test_every_problem_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, """title: "T"
code: C
description: d
hours: -1
colour: blue
days:
  - number: 1
    title: "Day 1"
    summary: s
    agenda:
      - {start: "09:00", end: "10:00", kind: session, title: "A"}
      - {start: "09:30", end: "09:45", kind: party, title: "B"}
      - {start: "11:00", end: "10:00", kind: break, title: "C"}
""")
    course, problems = load_course(path, "course.yaml")
    assert course is None
    rendered = [str(p) for p in problems]
    assert "course.yaml:4: 'hours' must be a positive number" in rendered
    assert "course.yaml:5: unknown key 'colour' (allowed: code, completion, days, description, hours, title)" in rendered
    assert any(p.startswith("course.yaml:12: agenda item starts at 09:30") for p in rendered)
    assert any(p.startswith("course.yaml:12: agenda 'kind' must be one of") for p in rendered)
    assert "course.yaml:13: agenda item ends (10:00) before it starts (11:00)" in rendered


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, 'title: "T"\ncode: [unclosed\ndescription: d\n')
    _course, problems = load_course(path, "course.yaml")
    assert len(problems) == 1 and problems[0].line in (2, 3) and "YAML" in problems[0].message


def test_times_stay_strings_and_missing_file_is_reported(tmp_path):
    path = write(tmp_path, 'title: T\ncode: C\ndescription: d\nhours: 2\ncompletion: {all_lessons: false}\ndays:' + GOOD_DAY)
    course, problems = load_course(path, "course.yaml")
    assert problems == [] and course is not None and course.days[0].agenda[0].start == "09:00"
    assert course.completion.all_lessons is False and course.completion.stage_checks_passed is True
    with pytest.raises(ContentInvalid) as info:
        load_catalog(tmp_path / "missing")
    assert "course.yaml:0: file is missing" in str(info.value)


def test_completion_rule_is_validated(tmp_path):
    path = write(tmp_path, 'title: T\ncode: C\ndescription: d\nhours: 2\ncompletion:\n  all_lessons: yes please\n  magic: true\ndays:' + GOOD_DAY)
    _course, problems = load_course(path, "course.yaml")
    rendered = [str(p) for p in problems]
    assert "course.yaml:6: completion rule 'all_lessons' must be true or false" in rendered
    assert any(p.startswith("course.yaml:7: unknown completion rule 'magic'") for p in rendered)


def test_duplicate_keys_are_reported(tmp_path):
    path = write(tmp_path, 'title: T\ncode: C\ntitle: again\n')
    _course, problems = load_course(path, "course.yaml")
    assert [str(p) for p in problems] == ["course.yaml:3: YAML: the key 'title' appears twice"]


def test_agenda_item_minutes():
    from app.content.course import AgendaItem

    assert AgendaItem("09:15", "10:15", "lesson", "t", ()).minutes == 60
    assert AgendaItem("12:35", "13:20", "lunch", "t", ()).minutes == 45
