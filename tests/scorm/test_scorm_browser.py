"""The SCORM package in Chromium against a real SCORM 1.2 runtime: scorm-again (npm, installed by
.ci/run into .ci/vendor, LECTERN_SCORM_AGAIN_JS), the library LMSs embed to provide `window.API`.

The zip is unpacked and served over HTTP with a small LMS page that sets `window.API = new
Scorm12API(...)` and opens a SCO in an iframe, as an LMS player does; the package finds the API by
walking up its parents. What the runtime recorded (`API.cmi`) is what an LMS would store."""
from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.content.catalog import load_catalog
from app.quizzes.scoring import score_attempt
from app.scorm import package

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCORM_AGAIN_JS = os.environ.get("LECTERN_SCORM_AGAIN_JS") or str(
    REPO / ".ci/vendor/node_modules/scorm-again/dist/scorm12.min.js")

LMS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LMS</title><link rel="icon" href="data:,"><script src="scorm12.min.js"></script></head>
<body><iframe id="sco" title="SCO" style="width:1000px;height:700px"></iframe>
<script>
  window.commits = [];
  window.launch = function (href, cmi) {
    window.API = new Scorm12API({ autocommit: false, logLevel: 5 });
    window.sets = {};   /* what the SCO set, element by element (cmi.core.exit is write-only) */
    window.API.on("LMSCommit", function () { window.commits.push(href); });
    window.API.on("LMSSetValue.cmi.*", function (element, value) { window.sets[element] = value; });
    if (cmi) { window.API.loadFromJSON(cmi, "cmi"); }
    document.getElementById("sco").src = href;
  };
  window.leave = function () { document.getElementById("sco").src = "about:blank"; };
</script></body></html>
"""


@pytest.fixture(scope="module")
def scorm_again_js() -> str:
    if not os.path.isfile(SCORM_AGAIN_JS):
        if os.environ.get("LECTERN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LECTERN_REQUIRE_BROWSER=1 but no scorm-again at {SCORM_AGAIN_JS} (.ci/run installs it)")
        pytest.skip(f"no scorm-again at {SCORM_AGAIN_JS} (npm install --prefix .ci/vendor scorm-again)")
    return SCORM_AGAIN_JS


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REPO / "curriculum", REPO / "quizzes")


@pytest.fixture(scope="module")
def lms(catalog, scorm_again_js, tmp_path_factory):
    """The unpacked package and the LMS page, served on a free port: (base URL, zip entries)."""
    root = tmp_path_factory.mktemp("scorm")
    data = package.build(catalog)
    zipfile.ZipFile(io.BytesIO(data)).extractall(root / "course")
    shutil.copy(scorm_again_js, root / "course" / "scorm12.min.js")
    (root / "course" / "lms.html").write_text(LMS_PAGE)
    handler = functools.partial(_QuietHandler, directory=str(root / "course"))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass   # a frame navigated away while a file was still being sent


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def player(browser, lms):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{lms}/lms.html")
    page.errors = errors
    yield page
    context.close()


def launch(page, href: str, cmi: dict | None = None):
    page.evaluate("([href, cmi]) => window.launch(href, cmi)", [href, cmi])
    page.wait_for_function("() => window.API.isInitialized()", timeout=10_000)
    frame = page.frame_locator("#sco")
    frame.locator("main").wait_for()
    return frame


def cmi(page, element: str) -> str:
    return page.evaluate("(el) => String(el.split('.').reduce((o, k) => o[k], window.API))", element)


def was_set(page, element: str) -> str | None:
    return page.evaluate("(el) => window.sets[el] ?? null", element)


def leave(page) -> None:
    page.evaluate("() => window.leave()")
    page.wait_for_function("() => window.API.isTerminated()", timeout=10_000)


def test_every_sco_launches_without_errors_and_initializes(player, catalog):
    scos = package.plan(catalog).scos
    assert len(scos) == len(catalog.lessons) + len(catalog.quizzes)
    for sco in scos:
        launch(player, sco.href)
        assert cmi(player, "cmi.core.lesson_status") == "incomplete", sco.href
        leave(player)
        assert was_set(player, "cmi.core.exit") == "suspend", sco.href
        assert re.fullmatch(r"\d{4}:\d\d:\d\d(\.\d\d)?", was_set(player, "cmi.core.session_time")), sco.href
    assert player.errors == []


def test_a_lesson_is_completed_and_resumes_where_the_trainee_was(player):
    frame = launch(player, "lessons/stage-05-developing-the-clusters-vision.html")
    frame.locator("#lesson-complete").scroll_into_view_if_needed()
    player.wait_for_function("() => JSON.parse(window.API.cmi.suspend_data || '{}').s?.includes('lesson-complete')")
    leave(player)
    saved = json.loads(cmi(player, "cmi.suspend_data"))
    assert saved["y"] > 500 and "objectives" in saved["s"] and "lesson-complete" in saved["s"]
    assert cmi(player, "cmi.core.lesson_status") == "incomplete" and was_set(player, "cmi.core.exit") == "suspend"

    frame = launch(player, "lessons/stage-05-developing-the-clusters-vision.html",
                   {"core": {"lesson_status": "incomplete", "entry": "resume"},
                    "suspend_data": json.dumps(saved)})
    frame.locator("body").evaluate("() => new Promise(r => document.readyState === 'complete' ? r() : "
                                   "window.addEventListener('load', r))")
    player.wait_for_function("(y) => Math.abs(document.getElementById('sco').contentWindow.scrollY - y) < 5", arg=saved["y"])
    frame.get_by_role("button", name="Mark complete").click()
    assert frame.get_by_text("You completed this lesson.").is_visible()
    assert cmi(player, "cmi.core.lesson_status") == "completed"
    leave(player)
    assert was_set(player, "cmi.core.exit") == ""
    assert player.errors == []


def _quiz_data(frame) -> dict:
    return json.loads(frame.locator("#quiz-data").text_content())


def _asked(frame) -> list[str]:
    return frame.locator("section.question:not([hidden])").evaluate_all("els => els.map(e => e.dataset.qid)")


def _answer(frame, question, value) -> None:
    """Give `value` (an answer in the shape Lectern scores, or None) to `question` in the page."""
    box = frame.locator(f"#question-{question.id}")
    if value is None:
        return
    if question.type in ("single", "true_false"):
        box.locator(f"input[value='{value}']").check()
    elif question.type == "multiple":
        for option_id in value:
            box.locator(f"input[value='{option_id}']").check()
    elif question.type == "ordering":
        for position, item in enumerate(value, start=1):
            box.locator(f"select[data-item='{item}']").select_option(str(position))
    elif question.type == "matching":
        for pair_id, right in value.items():
            box.locator(f"select[data-pair='{pair_id}']").select_option(label=right)
    else:
        box.locator("input[type=text]").fill(str(value))


def _wrong(question):
    """An answer that earns nothing."""
    kind = question.type
    if kind in ("single", "true_false"):
        return next(o.id for o in question.body.options if o.id not in question.body.correct)
    if kind == "multiple":
        wrong = [o.id for o in question.body.options if o.id not in question.body.correct]
        return wrong or None
    if kind == "numeric":
        return str(question.body.number + question.body.tolerance + 1000)
    if kind == "short_text":
        return "not the answer"
    return None


def _submit(frame) -> None:
    frame.get_by_role("button", name="Submit answers").click()
    anyway = frame.get_by_role("button", name="Submit anyway")
    if anyway.count() and anyway.is_visible():
        anyway.click()
    frame.locator("[data-quiz-result]").wait_for()


def test_a_knowledge_check_answered_right_is_passed_with_full_marks(player, catalog):
    quiz = catalog.quiz("stage-01")
    frame = launch(player, "quizzes/stage-01.html")
    asked = _asked(frame)
    assert sorted(asked) == sorted(q.id for q in quiz.questions)
    for qid in asked:
        question = quiz.question(qid)
        _answer(frame, question, question.kind.right_answer(question.body))
    _submit(frame)
    assert cmi(player, "cmi.core.lesson_status") == "passed"
    assert float(cmi(player, "cmi.core.score.raw")) == 100.0
    assert (cmi(player, "cmi.core.score.min"), cmi(player, "cmi.core.score.max")) == ("0", "100")
    assert "You scored 100% (pass mark 70%): passed." in frame.locator("[data-quiz-result]").text_content()
    assert player.evaluate("() => window.commits.length") >= 1
    leave(player)
    assert was_set(player, "cmi.core.exit") == ""
    assert player.errors == []


@pytest.mark.parametrize("quiz_id", ["stage-02", "roles-tools-fdi", "opening-sessions"])
def test_a_failed_check_reports_the_score_lectern_would_give(player, catalog, quiz_id):
    """Every other question right, the rest wrong or left out: the runtime records the percentage
    app/quizzes/scoring.py computes for the same answers, and failed."""
    quiz = catalog.quiz(quiz_id)
    frame = launch(player, f"quizzes/{quiz_id}.html")
    asked = [quiz.question(qid) for qid in _asked(frame)]
    answers = {}
    for index, question in enumerate(asked):
        answers[question.id] = question.kind.right_answer(question.body) if index % 3 == 0 else _wrong(question)
        _answer(frame, question, answers[question.id])
    expected = score_attempt(asked, answers, quiz.pass_mark)
    assert not expected.passed
    _submit(frame)
    assert cmi(player, "cmi.core.lesson_status") == "failed"
    assert float(cmi(player, "cmi.core.score.raw")) == expected.percent
    assert frame.get_by_role("button", name="Try again").is_visible()   # attempts left
    leave(player)
    assert was_set(player, "cmi.core.exit") == "suspend"
    state = json.loads(cmi(player, "cmi.suspend_data"))
    assert state["n"] == 1 and state["b"] == expected.percent and state["p"] is False
    assert player.errors == []


def test_a_day_assessment_draws_one_question_per_lesson_and_passes(player, catalog):
    quiz = catalog.quiz("day-1-assessment")
    frame = launch(player, "quizzes/day-1-assessment.html")
    asked = [quiz.question(qid) for qid in _asked(frame)]
    assert len(asked) == quiz.draw
    assert {q.main_lesson for q in quiz.questions if q.main_lesson} <= {q.main_lesson for q in asked}
    for question in asked:
        _answer(frame, question, question.kind.right_answer(question.body))
    _submit(frame)
    assert cmi(player, "cmi.core.lesson_status") == "passed"
    assert float(cmi(player, "cmi.core.score.raw")) == 100.0
    assert player.errors == []


def test_a_quiz_resumes_with_the_same_questions_and_answers(player, catalog):
    quiz = catalog.quiz("day-2-assessment")
    frame = launch(player, "quizzes/day-2-assessment.html")
    asked = [quiz.question(qid) for qid in _asked(frame)]
    for question in asked[:4]:
        _answer(frame, question, question.kind.right_answer(question.body))
    leave(player)
    saved = cmi(player, "cmi.suspend_data")
    state = json.loads(saved)
    assert state["d"] == [q.id for q in asked] and len(state["r"]) == len(asked)
    assert was_set(player, "cmi.core.exit") == "suspend"
    assert len(saved) <= 4096

    frame = launch(player, "quizzes/day-2-assessment.html",
                   {"core": {"lesson_status": "incomplete", "entry": "resume"}, "suspend_data": saved})
    assert _asked(frame) == [q.id for q in asked]
    for question in asked[4:]:
        _answer(frame, question, question.kind.right_answer(question.body))
    _submit(frame)
    assert cmi(player, "cmi.core.lesson_status") == "passed"      # the first four answers came back
    assert float(cmi(player, "cmi.core.score.raw")) == 100.0
    assert player.errors == []
