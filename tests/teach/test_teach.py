from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn.models import LessonCompletion
from app.quizzes import services as quizzes


@pytest.fixture
def school(app, make_user, make_cohort):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher")
    other_teacher = make_user(roles=("instructor",), display_name="Oli Other")
    ana = make_user(display_name="Ana Ruiz")
    ben = make_user(display_name="Ben Okafor")
    outsider = make_user(display_name="Olga Outsider")
    mine = make_cohort(name="Mine", track="live", instructors=[teacher], trainees=[ana, ben], by=admin)
    theirs = make_cohort(name="Theirs", track="live", instructors=[other_teacher], trainees=[outsider], by=admin)
    return {"admin": admin, "teacher": teacher, "ana": ana, "ben": ben, "outsider": outsider,
            "mine": mine.id, "theirs": theirs.id}


def take(user_id, quiz_id, answers):
    quiz = catalog().quiz(quiz_id)
    attempt = quizzes.start_attempt(user_id, quiz, now=utcnow())
    quizzes.submit_attempt(user_id, attempt.id, attempt.submit_token, answers, now=utcnow(), allow_unanswered=True)


def test_instructor_sees_only_their_cohorts(app, school, login):
    client = login(app, school["teacher"])
    page = client.get("/teach/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    assert client.get(f"/teach/cohorts/{school['mine']}").status_code == 200
    theirs = school["theirs"]
    for path in (f"/teach/cohorts/{theirs}", f"/teach/cohorts/{theirs}/grid.csv",
                 f"/teach/cohorts/{theirs}/trainees/{school['outsider'].id}",
                 f"/teach/cohorts/{theirs}/quizzes/stage-01", f"/teach/cohorts/{theirs}/quizzes/stage-01.csv"):
        assert client.get(path).status_code == 404, path
    # someone from another cohort, reached through my cohort's address
    assert client.get(f"/teach/cohorts/{school['mine']}/trainees/{school['outsider'].id}").status_code == 404


def test_trainees_cannot_reach_teaching_pages(app, school, login):
    client = login(app, school["ana"])
    for path in ("/teach/", f"/teach/cohorts/{school['mine']}", "/teach/quizzes/stage-01",
                 f"/teach/cohorts/{school['mine']}/trainees/{school['ben'].id}"):
        assert client.get(path).status_code == 403, path


def test_admin_sees_every_cohort(app, school, login):
    client = login(app, school["admin"])
    assert client.get(f"/teach/cohorts/{school['theirs']}").status_code == 200
    page = client.get("/teach/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" in page


def test_grid_shows_status_in_text_and_sorts(app, school, login):
    first = catalog().lessons[0]
    db.session.add(LessonCompletion(user_id=school["ben"].id, lesson_key=first.slug, content_hash="x", completed_at=utcnow()))
    db.session.commit()
    client = login(app, school["teacher"])
    page = client.get(f"/teach/cohorts/{school['mine']}?sort=progress&dir=desc").get_data(as_text=True)
    assert page.index("Ben Okafor") < page.index("Ana Ruiz")
    assert '<span class="visually-hidden">Done</span>' in page and '<span class="visually-hidden">Not started</span>' in page
    assert "1/22" in page
    by_name = client.get(f"/teach/cohorts/{school['mine']}").get_data(as_text=True)
    assert by_name.index("Ana Ruiz") < by_name.index("Ben Okafor")
    csv_text = client.get(f"/teach/cohorts/{school['mine']}/grid.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("Name,Email,Lessons done")
    assert "Ben Okafor" in csv_text and "Done" in csv_text


def test_question_analytics(app, school, login):
    quiz = catalog().quiz("stage-02")
    question = next(q for q in quiz.questions if q.type == "single")
    wrong = next(o.id for o in question.body.options if o.id not in question.body.correct)
    take(school["ana"].id, "stage-02", {question.id: question.body.correct[0]})
    take(school["ben"].id, "stage-02", {question.id: wrong})
    take(school["outsider"].id, "stage-02", {question.id: wrong})  # another cohort: not counted
    client = login(app, school["teacher"])
    page = client.get(f"/teach/cohorts/{school['mine']}/quizzes/stage-02").get_data(as_text=True)
    assert "2 finished attempts" in page
    assert question.body.option(wrong).text.replace("'", "&#39;").replace('"', "&#34;")[:40] in page
    csv_text = client.get(f"/teach/cohorts/{school['mine']}/quizzes/stage-02.csv").get_data(as_text=True)
    import csv
    import io
    row = next(r for r in csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))) if r[0] == question.id)
    assert row[3:7] == ["2", "1", "50.0", "50.0"]
    key = client.get("/teach/quizzes/stage-02").get_data(as_text=True)
    assert f'id="question-{question.id}"' in key and "Correct" in key


def test_question_analytics_show_the_cue_figures(app, school, login):
    """Issue 17: the quiz's cue figures (from its content as it stands) on the page and in the CSV."""
    from app.content.cues import quiz_cues

    quiz = catalog().quiz("stage-02")
    cues = quiz_cues(quiz)
    question = next(q for q in quiz.questions if q.type == "single")
    take(school["ana"].id, "stage-02", {question.id: question.body.correct[0]})
    client = login(app, school["teacher"])
    page = client.get(f"/teach/cohorts/{school['mine']}/quizzes/stage-02").get_data(as_text=True)
    assert "Cue figures" in page and f"{cues.expected_percent:.1f}%" in page
    assert f"{round(100 * cues.longest_share)}% of {cues.single_items} single-answer" in page
    csv_text = client.get(f"/teach/cohorts/{school['mine']}/quizzes/stage-02.csv").get_data(as_text=True)
    import csv
    import io
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert rows[0][9:] == ["Key is the longest option", "Cue-only expected %", "Quiz: key longest %",
                           "Quiz: key/distractor length", "Quiz: cue-only expected %", "Summary"]
    row = next(r for r in rows if r[0] == question.id)
    item = next(i for i in cues.items if i.question_id == question.id)
    assert row[9] == ("yes" if item.key_longest == 1 else "tied" if item.key_longest else "no")
    assert row[10:] == [f"{round(100 * item.expected, 1)}", f"{round(100 * cues.longest_share, 1)}",
                        f"{round(cues.length_ratio, 2)}", f"{round(cues.expected_percent, 1)}", ""]


def test_trainee_drill_down(app, school, login):
    client = login(app, school["teacher"])
    page = client.get(f"/teach/cohorts/{school['mine']}/trainees/{school['ana'].id}").get_data(as_text=True)
    assert "Ana Ruiz" in page and "Stage 12" in page and "Complete 22 more lessons" in page


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_grid_for_200_trainees_uses_a_bounded_number_of_queries(app, make_user, password_hash, login):
    from app.auth.models import User, UserRole

    admin = make_user(roles=("admin",))
    now = utcnow()
    people = [User(email=f"t{i}@example.org", display_name=f"Trainee {i:03d}", password_hash=password_hash,
                   is_active=True, created_at=now) for i in range(200)]
    for person in people:
        person.role_rows = [UserRole(role="trainee")]
    db.session.add_all(people)
    db.session.commit()
    cohort = cohorts.save_cohort(admin.id, None, name="Big", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=now)
    cohorts.enrol(admin.id, cohort.id, [p.id for p in people], now=now)
    slugs = [lesson.slug for lesson in catalog().lessons]
    db.session.add_all(LessonCompletion(user_id=p.id, lesson_key=slugs[i % len(slugs)], content_hash="x",
                                        completed_at=now) for i, p in enumerate(people))
    db.session.commit()
    client = login(app, admin)
    url = f"/teach/cohorts/{cohort.id}"
    with count_queries(db.engine) as statements:
        page = client.get(url).get_data(as_text=True)
    assert page.count('<th scope="row" class="progress-grid__name">') == 200
    # the same for 2 or 200 people: session, user, cohort, trainees, 6 kinds of progress facts (activity submissions
    # included), live sessions, the schedule (the reader's time zone and the scheduled days)…
    assert len(statements) <= 17, "\n".join(statements)



def test_the_drill_down_links_to_each_finished_attempt_and_only_in_my_cohorts(app, school, login):
    """Issue 16: the drill-down had no way to a trainee's answers."""
    import sqlalchemy as sa

    from app.quizzes.models import QuizAttempt
    quiz = catalog().quiz("stage-01")
    first = quiz.questions[0]
    take(school["ana"].id, "stage-01", {first.id: first.body.correct[0]} if first.body.correct else {})
    take(school["outsider"].id, "stage-01", {})
    ana_attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == school["ana"].id))
    outsider_attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == school["outsider"].id))
    client = login(app, school["teacher"])
    path = f"/teach/cohorts/{school['mine']}/trainees/{school['ana'].id}/attempts/{ana_attempt.id}"
    assert path in client.get(f"/teach/cohorts/{school['mine']}/trainees/{school['ana'].id}").get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "Stage 1 knowledge check" in page and "Their answer" in page and "Your answer" not in page
    # another trainee's attempt through Ana's address, someone outside my cohorts, and a trainee: refused
    assert client.get(f"/teach/cohorts/{school['mine']}/trainees/{school['ana'].id}/attempts/"
                      f"{outsider_attempt.id}").status_code == 404
    assert client.get(f"/teach/cohorts/{school['theirs']}/trainees/{school['outsider'].id}/attempts/"
                      f"{outsider_attempt.id}").status_code == 404
    assert login(app, school["ben"]).get(path).status_code == 403
