"""axe-core over every page type of Lectern: no serious or critical violations.

axe (the npm package `axe-core`, installed by `.ci/run`, which exports LECTERN_AXE_JS) is loaded
into every document of browser contexts that bypass the Content-Security-Policy: the app allows no
script but its own, and axe is not its own. Only these contexts bypass it; every other browser
test runs under the real policy.

One server and one signed-in tab per role serve the whole module (about 45 s for some 70 pages);
the data the pages need (finished and unfinished quiz attempts, a certificate, live sessions in
every state, a job, invitation and reset links) is made once, up front, through the services. Each
page type is its own test, and no test changes what another sees. Moderate and minor findings are
printed (`pytest -rP` shows them) and kept as a JUnit property; they do not fail the test.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from app.activities import services as activities
from app.auth import services as accounts
from app.auth.services import create_user, user_by_email
from app.certificates import services as certificates
from app.certificates.codes import format_code
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.jobs import services as jobs
from app.learn import services as learn
from app.live import attendance, polls, sessions
from app.live.broker import current_broker
from app.outbox import tokens as unsubscribe_tokens
from app.quizzes import services as quizzes
from app.schedule.models import ScheduledDay

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE_JS = os.environ.get("LECTERN_AXE_JS") or str(REPO / ".ci/vendor/node_modules/axe-core/axe.min.js")
FAILING = ("serious", "critical")
ACCOUNTS = {"admin": ("admin@example.com", "demo-admin"),
            "instructor": ("instructor@example.com", "demo-instructor"),
            "trainee": ("trainee@example.com", "demo-trainee")}


@pytest.fixture(scope="module")
def axe_js() -> str:
    if not os.path.isfile(AXE_JS):
        if os.environ.get("LECTERN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LECTERN_REQUIRE_BROWSER=1 but no axe-core at {AXE_JS} (.ci/run installs it)")
        pytest.skip(f"no axe-core at {AXE_JS} (npm install --prefix .ci/vendor axe-core)")
    return AXE_JS


def _prepare(app) -> dict[str, object]:
    """Everything the page types need, made through the services (ids and codes for the URLs)."""
    now = utcnow()
    cat = catalog()
    admin, instructor, trainee = (user_by_email(ACCOUNTS[r][0]) for r in ("admin", "instructor", "trainee"))
    assert admin and instructor and trainee
    demo = db.session.scalar(sa.select(Cohort).where(Cohort.name == "Demo cohort"))
    assert demo is not None

    for slug in ("what-are-clusters", "stage-03-initial-cluster-review"):
        learn.complete_lesson(trainee.id, cat.lesson(slug), now=now)
    noted = cat.lesson("stage-06-identifying-stepping-stones")
    learn.save_note(trainee.id, noted, sorted(noted.reflection_keys)[0], "Skills, a test facility.", now=now)
    # an assessed activity returned with marks, then resubmitted: both states on the instructors' pages
    returned, _created = activities.submit(trainee.id, noted, "stage-06-stepping-stones", "Stones: skills.", now=now)
    activities.return_submission(instructor.id, demo.id, returned.id, cat, {0: 2, 1: 1, 2: 0, 3: 1}, "Rank them.", now=now)
    awaiting, _created = activities.submit(trainee.id, noted, "stage-06-stepping-stones", "Stones, ranked.", now=now)

    finished = quizzes.start_attempt(trainee.id, cat.quiz("stage-03"), now=now)
    quizzes.submit_attempt(trainee.id, finished.id, finished.submit_token, {}, now=now, allow_unanswered=True)
    timed = quizzes.start_attempt(trainee.id, cat.quiz("day-2-assessment"), now=now)      # deferred, time limit
    timed_out = quizzes.start_attempt(trainee.id, cat.quiz("day-1-assessment"), now=now - timedelta(hours=3))  # left open
    checked = quizzes.start_attempt(trainee.id, cat.quiz("opening-sessions"), now=now)    # immediate feedback
    quizzes.check_question(trainee.id, checked.id, checked.questions[0]["id"], {}, now=now)

    certificate = certificates.issue(admin.id, trainee.id, cat, now=now, cohort_id=demo.id,
                                     override_reason="Completed the pilot course in the room")

    newcomer = create_user("nina@example.com", "Nina Newcomer", ("trainee",), password=None, now=now)
    secret = app.config["SECRET_KEY"]
    invite = accounts.issue_link(newcomer.id, "invite", secret_key=secret, max_age=3600, created_by_id=admin.id, now=now)
    reset = accounts.issue_link(trainee.id, "reset", secret_key=secret, max_age=3600, created_by_id=admin.id, now=now)
    cohorts.set_self_registration(admin.id, True, now=now)

    job = jobs.create_job("users.import", admin.id, total=3)
    jobs.update_job(job.id, status="done", stage="Finished", done=3,
                    result={"ok": True, "rows": 3, "created": 2, "enrolled": 3, "file": "people.csv"})

    # Two live sessions, so that one can have an open poll and the other a revealed one.
    broker = current_broker()
    evening = cohorts.save_cohort(admin.id, None, name="Evening cohort", track="live", starts_on=now.date(),
                                  ends_on=now.date(), instructor_ids=[instructor.id], now=now)
    cohorts.enrol(admin.id, evening.id, [trainee.id], now=now)
    session_ids = {}
    for name, cohort in (("open", demo), ("revealed", evening)):
        session = sessions.start_session(instructor.id, cohort.id, 1, cat, now=now)
        sessions.show_lesson(broker, instructor.id, session.id, cat.day_lessons(1)[4].slug, cat)
        sessions.join(broker, trainee.id, session.code, now=now)
        _quiz, question = polls.bank_question(cat, f"stage-03/{_single(cat.quiz('stage-03')).id}")
        poll = polls.launch_poll(broker, instructor.id, session.id, question, quiz_key="stage-03", scored=True, now=now)
        if name == "revealed":
            polls.answer(broker, trainee.id, session.id, poll.id, question.body.correct[0], now=now)
            polls.reveal_poll(broker, instructor.id, session.id, poll.id, now=now)
        session_ids[name] = session.id
    # ...and a third cohort's: one session that has ended, then a new one nobody has joined yet.
    morning = cohorts.save_cohort(admin.id, None, name="Morning cohort", track="live", starts_on=now.date(),
                                  ends_on=now.date(), instructor_ids=[instructor.id], now=now)
    cohorts.enrol(admin.id, morning.id, [trainee.id], now=now)
    ended = sessions.start_session(instructor.id, morning.id, 2, cat, now=now - timedelta(hours=5))
    sessions.join(broker, trainee.id, ended.code, now=now)
    sessions.end_session(broker, instructor.id, ended.id, now=now)
    attendance.credit(instructor.id, ended.id, trainee.id, 240, "In the room all day; the phone battery died.", now=now)
    session_ids["ended"] = ended.id
    session_ids["waiting"] = sessions.start_session(instructor.id, morning.id, 2, cat, now=now).id
    # ...and a fourth: an agenda item running, so the projector shows the lesson the class is on.
    weekend = cohorts.save_cohort(admin.id, None, name="Weekend cohort", track="live", starts_on=now.date(),
                                  ends_on=now.date(), instructor_ids=[instructor.id], now=now)
    lesson_session = sessions.start_session(instructor.id, weekend.id, 1, cat, now=now)
    sessions.start_item(broker, instructor.id, lesson_session.id, 1, cat, now=now)
    session_ids["lesson"] = lesson_session.id

    scheduled = db.session.scalar(sa.select(ScheduledDay.id).where(ScheduledDay.cohort_id == demo.id)
                                  .order_by(ScheduledDay.id).limit(1))   # the demo seed schedules the course days
    assert scheduled is not None
    unsubscribe = unsubscribe_tokens.sign(secret, trainee.id, "inactive-reminder")

    return {"scheduled": scheduled, "unsubscribe": unsubscribe,
            "trainee": trainee.id, "cohort": demo.id, "returned": returned.id, "awaiting": awaiting.id, "finished": finished.id, "timed": timed.id, "timed_out": timed_out.id,
            "checked": checked.id, "code": format_code(certificate.code), "invite": invite.token,
            "reset": reset.token, "job": job.id, "newcomer": newcomer.id, **{f"live_{name}": sid for name, sid in session_ids.items()}}


def _single(quiz):
    return next(q for q in quiz.questions if q.type == "single")


@dataclass
class World:
    url: str
    ids: dict[str, object]
    pages: dict[str, object]  # one tab per role, signed in, with axe loaded into every document


def _sign_in(page, role: str) -> None:
    email, password = ACCOUNTS[role]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture(scope="module")
def world(browser, axe_js, module_database, browser_app, serving) -> Iterator[World]:
    app = browser_app(module_database)
    with app.app_context():
        ids = _prepare(app)
        db.session.remove()
    with serving(app) as url:
        contexts, pages = [], {}
        try:
            for role in ("anonymous", "trainee", "instructor", "admin"):
                context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
                contexts.append(context)
                context.set_default_timeout(10_000)
                context.add_init_script(path=axe_js)  # cheaper than injecting it into each page afterwards
                pages[role] = context.new_page()
                if role != "anonymous":
                    _sign_in(pages[role], role)
            yield World(url, ids, pages)
        finally:
            for context in contexts:
                context.close()


def run_axe(page) -> list[dict]:
    """axe with every rule it runs by default. Besides its violations, text axe could not judge because it
    is exactly the colour of its background (the presenter's invisible white-on-white "Start" buttons were
    such a case) counts as a serious colour-contrast finding: text that nobody can read."""
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
        const node = n => ({target: n.target.join(' '), summary: n.failureSummary || '', html: n.html.slice(0, 200)});
        const found = result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                                                   nodes: v.nodes.map(node)}));
        const invisible = result.incomplete.filter(v => v.id === 'color-contrast').flatMap(v => v.nodes)
            .filter(n => n.any.some(check => check.data && check.data.messageKey === 'equalRatio'));
        if (invisible.length) {
            found.push({id: 'color-contrast', impact: 'serious', help: 'Text is the same colour as its background',
                        helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/color-contrast', nodes: invisible.map(node)});
        }
        return found;
    }""")


def describe(violations: list[dict], limit: int = 4) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {v['helpUrl']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {node['target']}  {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


Action = Callable[[object], None]


def _wrong_password(page) -> None:
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()


def _bad_csv(page) -> None:
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"email,name,role,cohort\nnot-an-email,Ana Ruiz,trainee,\nlee@example.org,,wizard,\n"}])
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("heading", name=re.compile(r"^people\.csv: \d+ problems found"))).to_be_visible()


def _bad_minutes(page) -> None:
    page.get_by_label("Minutes to count for this session").fill("9999")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Give a number of minutes from 0 to")).to_be_visible()


def _mark_without_levels(page) -> None:
    page.evaluate("document.querySelector('form.rubric-form').noValidate = true")  # past the browser's own check
    page.locator("input[name=criterion-0]").first.check()
    page.get_by_role("button", name="Return with marks and feedback").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a level for every criterion")


def _bulk_without_people(page) -> None:
    page.get_by_label("Reason").fill("In the room all day.")
    page.get_by_role("button", name="Mark selected present").click()
    expect(page.get_by_text("Tick the people to mark present first.")).to_be_visible()


def _invite_link(page) -> None:
    page.get_by_role("button", name="Create new invitation link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _wrong_live_code(page) -> None:
    page.get_by_label("Session code").fill("ZZZZZZ")
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".field__error")).to_be_visible()


def _ask_before_submitting(page) -> None:
    """The question quiz.js asks when "Submit answers" would leave questions unanswered."""
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def _stays_put(page) -> None:
    """The page does not reload by itself (a page that does is unusable with a screen reader)."""
    page.evaluate("window.stillHere = true")
    page.wait_for_timeout(1500)
    try:
        still = page.evaluate("window.stillHere === true")
    except PlaywrightError:  # reloading at this very moment
        still = False
    assert still, f"{page.url} reloads by itself"


@dataclass(frozen=True)
class Page:
    id: str
    role: str                      # whose signed-in browser context opens it ("anonymous": nobody's)
    path: str                      # {placeholders} come from World.ids
    status: int = 200
    action: Action | None = None   # what to do on the page before axe looks (submit a form, ...)
    width: int = 1280


PAGES = [
    Page("sign-in", "anonymous", "/login"),
    Page("sign-in-error", "anonymous", "/login", action=_wrong_password),
    Page("password-reset", "anonymous", "/reset/{reset}"),
    Page("invitation", "anonymous", "/invite/{invite}"),
    Page("link-invalid", "anonymous", "/reset/not-a-real-token", status=410),
    Page("register", "anonymous", "/register"),
    Page("verify-form", "anonymous", "/verify"),
    Page("verify-valid", "anonymous", "/verify/{code}"),
    Page("verify-unknown", "anonymous", "/verify/AAAA-AAAA-AAAA", status=404),
    Page("course-home", "trainee", "/"),
    Page("day", "trainee", "/days/1"),
    Page("lesson", "trainee", "/lessons/stage-05-developing-the-clusters-vision"),
    Page("lesson-with-notes", "trainee", "/lessons/stage-06-identifying-stepping-stones"),
    Page("lesson-facilitator", "instructor", "/lessons/stage-05-developing-the-clusters-vision"),
    Page("glossary", "trainee", "/glossary"),
    Page("search-results", "trainee", "/search?q=cluster"),
    Page("search-empty", "trainee", "/search"),
    Page("quiz-intro", "trainee", "/quizzes/stage-01"),
    Page("quiz-intro-after-attempt", "trainee", "/quizzes/stage-03"),
    Page("quiz-take-timed", "trainee", "/attempts/{timed}"),
    Page("quiz-take-unanswered", "trainee", "/attempts/{timed}?confirm=1"),
    Page("quiz-take-unanswered-dialog", "trainee", "/attempts/{timed}", action=_ask_before_submitting),
    Page("quiz-take-checked", "trainee", "/attempts/{checked}"),
    Page("quiz-results", "trainee", "/attempts/{finished}"),
    Page("quiz-results-timed-out", "trainee", "/attempts/{timed_out}"),
    Page("progress", "trainee", "/progress"),
    Page("checklist", "trainee", "/checklist"),
    Page("cohort-join", "trainee", "/cohorts/join"),
    Page("account-password", "trainee", "/account/password"),
    Page("account-email", "trainee", "/account/email"),
    Page("account-calendar", "trainee", "/account/calendar"),
    Page("unsubscribe", "anonymous", "/unsubscribe/{unsubscribe}"),
    Page("error-403", "trainee", "/admin/users", status=403),
    Page("error-404", "trainee", "/no/such/page", status=404),
    Page("live-join", "trainee", "/join"),
    Page("live-join-error", "trainee", "/join", action=_wrong_live_code),
    Page("live-participant-poll", "trainee", "/live/{live_open}"),
    Page("live-participant-revealed", "trainee", "/live/{live_revealed}"),
    Page("live-present-poll", "instructor", "/live/{live_open}/present"),
    Page("live-present-revealed", "instructor", "/live/{live_revealed}/present"),
    Page("live-projector-poll", "instructor", "/live/{live_open}/projector"),
    Page("live-projector-revealed", "instructor", "/live/{live_revealed}/projector"),
    Page("live-participant-ended", "trainee", "/live/{live_ended}", action=_stays_put),
    Page("live-projector-waiting", "instructor", "/live/{live_waiting}/projector"),
    Page("live-projector-ended", "instructor", "/live/{live_ended}/projector"),
    Page("live-attendance", "instructor", "/live/{live_ended}/attendance"),
    Page("live-attendance-bulk-error", "instructor", "/live/{live_ended}/attendance", action=_bulk_without_people),
    Page("live-end-confirm", "instructor", "/live/{live_open}/end"),
    Page("live-present-ended", "instructor", "/live/{live_ended}/present"),
    Page("live-projector-lesson", "instructor", "/live/{live_lesson}/projector"),
    Page("live-attendance-correct", "instructor", "/live/{live_ended}/attendance/{trainee}"),
    Page("live-attendance-correct-error", "instructor", "/live/{live_ended}/attendance/{trainee}",
         action=_bad_minutes),
    Page("teach-index", "instructor", "/teach/"),
    Page("schedule-cohort", "instructor", "/schedule/cohorts/{cohort}"),
    Page("schedule-entry", "instructor", "/schedule/entries/{scheduled}/edit"),
    Page("teach-cohort-grid", "instructor", "/teach/cohorts/{cohort}"),
    Page("teach-trainee", "instructor", "/teach/cohorts/{cohort}/trainees/{trainee}"),
    Page("teach-analytics", "instructor", "/teach/cohorts/{cohort}/quizzes/stage-03"),
    Page("teach-quiz-key", "instructor", "/teach/quizzes/day-2-assessment"),
    Page("activities-queue", "instructor", "/teach/cohorts/{cohort}/activities"),
    Page("activities-mark", "instructor", "/teach/cohorts/{cohort}/activities/submissions/{awaiting}"),
    Page("activities-mark-error", "instructor", "/teach/cohorts/{cohort}/activities/submissions/{awaiting}",
         action=_mark_without_levels),
    Page("activities-returned", "instructor", "/teach/cohorts/{cohort}/activities/submissions/{returned}"),
    Page("admin-users", "admin", "/admin/users"),
    Page("admin-user", "admin", "/admin/users/{trainee}"),
    Page("admin-user-link", "admin", "/admin/users/{newcomer}", action=_invite_link),
    Page("admin-user-new", "admin", "/admin/users/new"),
    Page("admin-cohorts", "admin", "/admin/cohorts"),
    Page("admin-cohort", "admin", "/admin/cohorts/{cohort}"),
    Page("admin-cohort-edit", "admin", "/admin/cohorts/{cohort}/edit"),
    Page("admin-cohort-new", "admin", "/admin/cohorts/new"),
    Page("admin-import", "admin", "/admin/import"),
    Page("admin-import-checked", "admin", "/admin/import", action=_bad_csv),
    Page("admin-audit", "admin", "/admin/audit"),
    Page("admin-exports", "admin", "/admin/exports/"),
    Page("admin-job", "admin", "/admin/jobs/{job}"),
    Page("admin-certificates", "admin", "/admin/cohorts/{cohort}/certificates"),
]
# Narrow screens change layouts: tables scroll inside their boxes, the lesson aside moves, and so on.
PAGES += [Page(f"{p.id}@phone", p.role, p.path, p.status, p.action, width=390) for p in PAGES
          if p.id in {"course-home", "lesson", "quiz-take-timed", "quiz-take-unanswered", "quiz-take-unanswered-dialog",
                      "quiz-results", "progress", "teach-cohort-grid", "lesson-with-notes", "activities-queue",
                      "activities-mark", "activities-returned",
                      "teach-analytics", "admin-users", "admin-audit", "admin-import", "admin-certificates",
                      "live-participant-poll", "live-present-poll", "live-projector-revealed", "live-projector-lesson",
                      "live-attendance", "account-email", "account-calendar", "schedule-cohort"}]


@pytest.mark.parametrize("spec", PAGES, ids=[p.id for p in PAGES])
def test_page_has_no_serious_or_critical_axe_violations(world, record_property, spec: Page):
    page = world.pages[spec.role]
    page.set_viewport_size({"width": spec.width, "height": 900})
    response = page.goto(spec.path.format(**world.ids))
    assert response is not None and response.status == spec.status, f"{spec.path}: HTTP {response and response.status}"
    if spec.action is not None:
        spec.action(page)
    violations = run_axe(page)
    url = page.url
    failing = [v for v in violations if v["impact"] in FAILING]
    others = [v for v in violations if v["impact"] not in FAILING]
    if others:
        print(f"axe, not failing, on {url} at {spec.width}px:\n{describe(others)}")
        record_property("axe_other", json.dumps([{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
                                                  for v in others]))
    assert not failing, f"axe on {url} at {spec.width}px:\n{describe(failing)}"
