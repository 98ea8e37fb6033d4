import re

import sqlalchemy as sa

from app.content.catalog import catalog
from app.extensions import db
from app.learn.models import LessonCompletion, LessonVisit, ReflectionNote


def first_stage_lesson():
    return next(lesson for lesson in catalog().lessons if lesson.stage == 3)


def facilitator_text(lesson) -> str:
    """A stretch of the facilitator notes' HTML exactly as a page would contain it."""
    segment = next(s for s in lesson.segments if s.kind == "facilitator")
    return max(str(segment.html).split("\n"), key=len)[:80]


def test_home_shows_agenda_with_links_and_a_start_button(client, make_user, sign_in):
    sign_in(make_user())
    page = client.get("/").get_data(as_text=True)
    assert "Day 1" in page and "Day 2" in page and "Cluster Dinner" in page
    assert "Start the course" in page and 'href="/lessons/what-are-clusters"' in page
    assert page.count('class="progress__bar"') == 3  # whole course, Day 1, Day 2


def test_trainee_lesson_html_has_no_facilitator_notes(client, make_user, sign_in):
    sign_in(make_user())
    lesson = first_stage_lesson()
    page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    assert lesson.title.replace("'", "&#39;") in page
    assert "Facilitator notes" not in page and "block--facilitator" not in page
    assert facilitator_text(lesson) not in page


def test_instructor_and_admin_see_facilitator_notes(app, make_user):
    lesson = first_stage_lesson()
    for role in ("instructor", "admin"):
        client = app.test_client()
        user = make_user(roles=(role,))
        client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
        assert "Facilitator notes" in page and facilitator_text(lesson) in page, role


def test_completing_twice_records_one_completion(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    lesson = first_stage_lesson()
    assert client.post(f"/lessons/{lesson.slug}/complete").status_code == 302
    assert client.post(f"/lessons/{lesson.slug}/complete").status_code == 302
    rows = db.session.scalars(sa.select(LessonCompletion).where(LessonCompletion.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].lesson_key == lesson.slug and rows[0].content_hash == lesson.content_hash
    page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    assert "You completed this lesson" in page and "Mark complete</button>" not in page


def test_day_progress_moves_when_a_lesson_is_completed(client, make_user, sign_in):
    sign_in(make_user())
    day1 = catalog().day_lessons(1)
    before = client.get("/days/1").get_data(as_text=True)
    assert f"0 of {len(day1)} lessons" in before
    client.post(f"/lessons/{day1[0].slug}/complete")
    after = client.get("/days/1").get_data(as_text=True)
    assert f"1 of {len(day1)} lessons" in after


def test_continue_where_you_left_off(client, make_user, sign_in):
    sign_in(make_user())
    lesson = first_stage_lesson()
    client.get(f"/lessons/{lesson.slug}")
    page = client.get("/").get_data(as_text=True)
    assert "Continue where you left off" in page
    assert f'href="/lessons/{lesson.slug}">Continue' in page


def test_mark_complete_and_next_goes_to_the_following_lesson(client, make_user, sign_in):
    sign_in(make_user())
    lesson = first_stage_lesson()
    following = catalog().neighbours(lesson)[1]
    response = client.post(f"/lessons/{lesson.slug}/complete", data={"next": "1"})
    assert response.location == f"/lessons/{following.slug}"


def test_visits_are_recorded_once_per_window(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    lesson = first_stage_lesson()
    client.get(f"/lessons/{lesson.slug}")
    client.get(f"/lessons/{lesson.slug}")
    visits = db.session.scalars(sa.select(LessonVisit).where(LessonVisit.user_id == user.id)).all()
    assert len(visits) == 1


def test_reflection_notes_are_private(app, make_user):
    lesson = next(x for x in catalog().lessons if x.reflection_keys)
    key = lesson.reflection_keys[0]
    owner, other = make_user(), make_user()
    a, b = app.test_client(), app.test_client()
    a.post("/login", data={"email": owner.email, "password": "correct horse battery"})
    b.post("/login", data={"email": other.email, "password": "correct horse battery"})
    secret = "My private <script>alert(1)</script> thought"
    response = a.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": secret})
    assert response.status_code == 302 and response.location.endswith(f"#reflect-{key}")
    mine = a.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    assert "My private &lt;script&gt;alert(1)&lt;/script&gt; thought" in mine
    assert "My private" not in b.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    a.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": "Second thoughts"})
    notes = db.session.scalars(sa.select(ReflectionNote).where(ReflectionNote.user_id == owner.id)).all()
    assert [n.body for n in notes] == ["Second thoughts"]


def test_notes_for_unknown_prompts_and_lessons_are_refused(client, make_user, sign_in):
    sign_in(make_user())
    lesson = first_stage_lesson()
    assert client.post(f"/lessons/{lesson.slug}/notes/not-a-prompt", data={"body": "x"}).status_code == 404
    assert client.post("/lessons/no-such-lesson/notes/x", data={"body": "x"}).status_code == 404
    assert client.get("/lessons/no-such-lesson").status_code == 404
    assert client.get("/days/3").status_code == 404


def test_overlong_note_is_refused_with_a_message(client, make_user, sign_in):
    sign_in(make_user())
    lesson = next(x for x in catalog().lessons if x.reflection_keys)
    response = client.post(f"/lessons/{lesson.slug}/notes/{lesson.reflection_keys[0]}", data={"body": "y" * 10_001})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "up to 10,000 characters" in page
    assert "y" * 10_001 in page  # nothing typed is lost


def test_search_highlights_and_links_to_the_section(client, make_user, sign_in):
    sign_in(make_user())
    page = client.get("/search?q=back-casting").get_data(as_text=True)
    assert "<mark>" in page and 'href="/lessons/stage-06-identifying-stepping-stones' in page
    assert "Nothing in the course matches" in client.get("/search?q=zzzqqqxx").get_data(as_text=True)
    assert "&lt;b&gt;" in client.get("/search?q=<b>").get_data(as_text=True)


def test_search_never_shows_facilitator_notes(client, make_user, sign_in):
    sign_in(make_user())
    lesson = first_stage_lesson()
    words = re.sub(r"<[^>]+>|&\w+;", " ", facilitator_text(lesson)).split()[:4]
    page = client.get("/search", query_string={"q": " ".join(words)}).get_data(as_text=True)
    assert facilitator_text(lesson) not in page


def test_glossary_lists_terms_with_their_lessons(client, make_user, sign_in):
    sign_in(make_user())
    page = client.get("/glossary").get_data(as_text=True)
    assert "Preferred future" in page and 'href="/lessons/stage-05-developing-the-clusters-vision"' in page


def test_content_check_accepts_the_shipped_course(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output and "lessons" in result.output


def test_lesson_url_is_the_lesson_route(app):
    from flask import url_for

    from app.content.lessons import lesson_url

    with app.test_request_context():
        assert lesson_url("some-lesson") == url_for("learn.lesson", slug="some-lesson")
