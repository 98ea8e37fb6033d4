"""SQL statements per request on the quiz path (issue 19): start, the attempt form, submit, the
results page. Counted with SQLAlchemy's before_cursor_execute on the app's engine; transaction
control (SQLite's BEGIN / BEGIN IMMEDIATE, which psycopg sends without a cursor) is left out so
both backends count the same. The signed-in person is loaded by app/auth (one read of `users` at
most, which these tests allow but do not pin); the quiz's own statements are counted exactly."""
import re
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.quizzes.models import QuizAttempt
from app.quizzes.services import AttemptPage


@pytest.fixture
def app_config(mini_course_config):
    return mini_course_config


@dataclass
class Statements:
    seen: list[str] = field(default_factory=list)

    def hook(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.seen.append(" ".join(statement.split()))

    def take(self) -> tuple[list[str], list[str]]:
        """(statements on quiz_attempts, all the others) since the last take."""
        seen, self.seen = self.seen, []
        quiz = [s for s in seen if "quiz_attempts" in s]
        other = [s for s in seen if "quiz_attempts" not in s]
        assert len(other) <= 1 and all(s.startswith("SELECT") and "FROM users" in s for s in other), other
        return quiz, other

    def reset(self) -> None:
        self.seen = []


@pytest.fixture
def statements(app):
    counter = Statements()
    sa.event.listen(db.engine, "before_cursor_execute", counter.hook)
    yield counter
    sa.event.remove(db.engine, "before_cursor_execute", counter.hook)


def kinds(quiz_statements: list[str]) -> list[str]:
    return [s.split()[0] for s in quiz_statements]


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def attempts_of(user_id: int) -> list[QuizAttempt]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id)))


def test_each_request_of_an_attempt_reads_the_attempt_once(client, make_user, sign_in, statements, on_postgres):
    user = make_user()
    sign_in(user)
    statements.reset()

    response = client.post("/quizzes/opening-check/start")
    assert response.status_code == 302
    attempt_id = int(response.location.rsplit("/", 1)[1])
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT", "INSERT"], quiz   # numbers used and open attempt in one read; no reload

    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT"], quiz
    assert "Submit answers" in page

    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "allow_unanswered": "1",
                                                            "token": token_of(page), "q-single-q": "a"})
    assert response.status_code == 302 and response.location.endswith(f"/attempts/{attempt_id}")
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT", "UPDATE"], quiz   # read and locked once, then written once
    assert ("FOR UPDATE" in quiz[0]) == on_postgres    # SQLite: the write transaction holds the lock

    results = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT"], quiz             # the attempt and the attempts used, in one read
    assert "results" in results and "Try again (2 left)" in results

    [attempt] = attempts_of(user.id)
    assert attempt.is_finished and attempt.score_percent is not None


def test_a_second_submit_of_the_same_attempt_records_nothing(client, make_user, sign_in, statements):
    user = make_user()
    sign_in(user)
    attempt_id = int(client.post("/quizzes/opening-check/start").location.rsplit("/", 1)[1])
    token = token_of(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    form = {"action": "submit", "allow_unanswered": "1", "token": token, "q-single-q": "a"}
    assert client.post(f"/attempts/{attempt_id}", data=form).status_code == 302
    [first] = attempts_of(user.id)
    finished_at, score = first.finished_at, first.score_percent
    statements.reset()

    again = client.post(f"/attempts/{attempt_id}", data={**form, "q-single-q": "b", "q-num-q": "12"})
    assert again.status_code == 302 and again.location.endswith(f"/attempts/{attempt_id}")
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT"], quiz   # finds it finished; writes nothing
    assert "recorded once" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)

    [attempt] = attempts_of(user.id)
    assert (attempt.finished_at, attempt.score_percent) == (finished_at, score)
    assert attempt.answers == {"single-q": "a"}


def test_a_submit_with_gaps_saves_the_answers_in_one_write(client, make_user, sign_in, statements):
    user = make_user()
    sign_in(user)
    attempt_id = int(client.post("/quizzes/opening-check/start").location.rsplit("/", 1)[1])
    token = token_of(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    statements.reset()

    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token, "q-num-q": "11"})
    assert response.status_code == 302 and response.location.endswith("confirm=1#unanswered")
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT", "UPDATE"], quiz
    [attempt] = attempts_of(user.id)
    assert not attempt.is_finished and set(attempt.answers) == {"num-q"} and attempt.score_percent is None


def test_resuming_an_open_attempt_starts_no_other(client, make_user, sign_in, statements):
    user = make_user()
    sign_in(user)
    first = client.post("/quizzes/opening-check/start").location
    statements.reset()
    assert client.post("/quizzes/opening-check/start").location == first
    quiz, _ = statements.take()
    assert kinds(quiz) == ["SELECT", "SELECT"], quiz   # the attempts at the quiz, then the open one
    assert len(attempts_of(user.id)) == 1


def test_someone_elses_attempt_is_missing_on_every_request(client, app, make_user, sign_in, login):
    owner = login(app, make_user())
    attempt_id = int(owner.post("/quizzes/opening-check/start").location.rsplit("/", 1)[1])
    token = token_of(owner.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    sign_in(make_user())
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    for data in ({"action": "submit", "allow_unanswered": "1", "token": token}, {"action": "save"},
                 {"check": "single-q"}):
        assert client.post(f"/attempts/{attempt_id}", data=data).status_code == 404
    assert client.post(f"/attempts/{attempt_id}/autosave", data={}).status_code == 404
    [attempt] = [a for a in db.session.scalars(sa.select(QuizAttempt))]
    assert not attempt.is_finished and attempt.answers == {}


@pytest.mark.parametrize(("used", "allowed", "open_id", "left", "can"), [
    (1, 3, None, 2, True), (3, 3, None, 0, False), (3, 3, 7, 0, True), (5, None, None, None, True),
    (4, 3, None, 0, False),
])
def test_attempt_page_says_whether_another_try_is_left(used, allowed, open_id, left, can):
    page = AttemptPage(attempt=None, attempts_used=used, open_attempt_id=open_id)  # type: ignore[arg-type]
    assert page.attempts_left(allowed) == left and page.can_start(allowed) is can


def test_the_same_attempt_submitted_at_once_from_six_threads_is_graded_once(app, make_user):
    """Each thread reads the attempt locked (FOR UPDATE / BEGIN IMMEDIATE) and waits for the one
    ahead of it: one grading, five that find it finished and write nothing."""
    import threading

    from app.content.catalog import catalog
    from app.db import utcnow
    from app.quizzes import services

    user_id = make_user().id
    attempt = services.start_attempt(user_id, catalog().quiz("opening-check"), now=utcnow())
    attempt_id, token = attempt.id, attempt.submit_token
    db.session.remove()
    barrier, outcomes, errors = threading.Barrier(6), [], []

    def submit(choice: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                _attempt, first = services.submit_attempt(user_id, attempt_id, token, {"single-q": choice},
                                                          now=utcnow(), allow_unanswered=True)
                outcomes.append((first, choice))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=("ab"[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(outcomes) == 6
    winners = [choice for first, choice in outcomes if first]
    assert len(winners) == 1
    [row] = attempts_of(user_id)
    assert row.is_finished and row.answers == {"single-q": winners[0]}
