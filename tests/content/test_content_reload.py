"""A running process swaps in edited content only when it is valid; otherwise it keeps serving
the last good catalog and tells administrators what is wrong, file and line."""
import os
import shutil
import time
from pathlib import Path

import pytest

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-course"


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def app_config(database_uri, course_dir):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course_dir),
            "QUIZZES_DIR": str(MINI.parent / "mini-quizzes"), "CONTENT_RELOAD_SECONDS": 0.01}


def touch_later(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_valid_edit_goes_live_and_broken_edit_keeps_last_good(client, make_user, sign_in, course_dir):
    sign_in(make_user(roles=("admin",)))
    lesson = course_dir / "day-2" / "01-closing.md"
    assert "Back-casting starts" in client.get("/lessons/closing").get_data(as_text=True)

    touch_later(lesson, lesson.read_text().replace("Back-casting starts", "Backcasting begins"))
    time.sleep(0.02)
    assert "Backcasting begins" in client.get("/lessons/closing").get_data(as_text=True)

    broken = lesson.read_text().replace("minutes: 15", "minutes: lots")
    touch_later(lesson, broken.replace("Backcasting begins", "Never shown"))
    time.sleep(0.02)
    page = client.get("/lessons/closing").get_data(as_text=True)
    assert "Backcasting begins" in page and "Never shown" not in page
    assert "still serving the last good version" in page
    assert "01-closing.md:4: &#39;minutes&#39; must be a whole number" in page


def test_content_check_reports_file_and_line_and_fails(runner, app, course_dir):
    lesson = course_dir / "day-1" / "01-opening.md"
    lesson.write_text(lesson.read_text().replace("slug: opening", "slug: Opening Lesson"))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "01-opening.md:3: 'slug' must be lower-case words joined by hyphens" in result.output
    assert "1 problem(s) found" in result.output


def test_content_check_reports_minutes_that_are_the_agenda_slot_not_self_study(runner, app, course_dir):
    """The live slot (60 minutes) copied into a lesson whose self-study is about 6 minutes."""
    lesson = course_dir / "day-1" / "01-opening.md"
    text = lesson.read_text().replace("minutes: 20", "minutes: 60")
    lesson.write_text(text.replace("List three industries", "Allow 5 minutes.\n\nList three industries"))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "01-opening.md:4: 'minutes' is 60, but self-study of this lesson takes about 6 minutes" in result.output
    assert "1 problem(s) found" in result.output


def test_broken_content_stops_start_up_outside_the_command_line(database_uri, course_dir):
    from app import create_app
    from app.content.problems import ContentInvalid

    lesson = course_dir / "day-1" / "01-opening.md"
    lesson.write_text(lesson.read_text().replace("minutes: 20", "minutes: 0"))
    with pytest.raises(ContentInvalid) as info:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course_dir),
                    "QUIZZES_DIR": str(MINI.parent / "mini-quizzes")})
    assert "01-opening.md:4:" in str(info.value)
