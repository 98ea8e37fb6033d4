from datetime import timedelta

import sqlalchemy as sa

from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn.models import LessonVisit


def test_progress_page_shows_stages_quizzes_and_what_is_missing(client, make_user, sign_in):
    sign_in(make_user())
    stage1 = next(lesson for lesson in catalog().lessons if lesson.stage == 1)
    client.post(f"/lessons/{stage1.slug}/complete")
    page = client.get("/progress").get_data(as_text=True)
    assert "Your progress" in page and "1 of 22 lessons" in page
    assert page.count('class="stage-tile ') == 12
    assert "Lesson complete · check not passed" in page  # stage 1 done, its check not passed
    assert "Pass the Stage 1 knowledge check" in page or "Pass the" in page
    assert "Complete 21 more lessons" in page


def test_notes_export_is_markdown_and_private(app, make_user, password):
    lesson = next(x for x in catalog().lessons if x.reflection_keys)
    owner, other = make_user(display_name="Owner"), make_user(display_name="Other")
    a, b = app.test_client(), app.test_client()
    a.post("/login", data={"email": owner.email, "password": password})
    b.post("/login", data={"email": other.email, "password": password})
    a.post(f"/lessons/{lesson.slug}/notes/{lesson.reflection_keys[0]}", data={"body": "My own *thought*"})
    response = a.get("/progress/notes.md")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/markdown" and "attachment" in response.headers["Content-Disposition"]
    assert text.startswith("# Reflection notes:") and f"## {lesson.title}" in text and "My own *thought*" in text
    assert "My own" not in b.get("/progress/notes.md").get_data(as_text=True)
    assert "My own" in a.get("/progress").get_data(as_text=True)
    assert "My own" not in b.get("/progress").get_data(as_text=True)


def test_study_time_counts_gaps_between_views_but_not_long_absences(app, client, make_user, sign_in):
    from app.learn import services as learn
    from app.progress.services import study_seconds

    user = make_user()
    first, second, third = catalog().lessons[:3]
    start = utcnow() - timedelta(hours=3)
    learn.record_visit(user.id, first, learn.learner_state(user.id), now=start)
    learn.record_visit(user.id, second, learn.learner_state(user.id), now=start + timedelta(minutes=10))
    learn.record_visit(user.id, third, learn.learner_state(user.id), now=start + timedelta(minutes=15))
    learn.record_visit(user.id, first, learn.learner_state(user.id), now=start + timedelta(hours=2))  # came back later
    assert study_seconds(user.id) == 15 * 60
    seconds = dict(db.session.execute(sa.select(LessonVisit.lesson_key, LessonVisit.seconds_spent)
                                      .where(LessonVisit.user_id == user.id)).all())
    assert seconds[first.slug] == 600 and seconds[second.slug] == 300 and seconds[third.slug] == 0
