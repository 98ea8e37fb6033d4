"""Property-based fuzzing of every form and JSON endpoint: nothing a browser or script can send
makes the application answer 500.

The test walks `app.url_map` at run time, so a new route is fuzzed without touching this file.
It first reads every page as each person and keeps what the page's forms and links send (address,
fields, choices), per endpoint. Then:

* a sweep sets each field of each real form (up to 12 per form) in turn to a NUL-carrying string,
  100,000 characters, "²", "-1" and a repeated field, and sends it as the person who saw the form;
* hypothesis, for every POST rule (25 examples per person) and every GET page (10), generates
  path arguments (existing ids and codes, missing ones, huge integers, arbitrary text) and either
  a real submission with some fields bent, or random fields (the names views read plus arbitrary
  ones; unicode, control characters, huge strings, numbers as text, real and impossible dates,
  repeated fields, file uploads), or a JSON body of any shape, or broken JSON, or JSON nested
  50,000 deep or megabytes long; with an Accept header that asks for HTML, JSON, anything or an
  event stream;
* the workbook and checklist PDFs get a few examples each (every one renders a book);
* the two event streams are opened through the real stream engine (tests/plugins/engine.py) with bent
  session ids, Last-Event-ID, Origin and Accept headers, and read until their first event.

Requests go out as a signed-in administrator-instructor and as a signed-in trainee, against one
database seeded with a cohort, a live session with a poll and an answer, open and finished quiz
attempts, a certificate, a job, invitation and reset links, notes and checklist entries, so that
id-based routes reach real code. Unexpected exceptions become 500 responses (PROPAGATE_EXCEPTIONS
is off) and the test asserts none occurs. CSRF and rate limits are off in the test configuration
(test_security.py covers CSRF). LECTERN_FUZZ_EXAMPLES=200 makes a longer hunt.

Not fuzzed: static files.
"""
from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from app import create_app
from app.auth.models import User, UserRole
from app.extensions import db

EXAMPLES = int(os.environ.get("LECTERN_FUZZ_EXAMPLES", "25"))  # per POST route and person; raise it for a longer hunt
GET_EXAMPLES = max(1, EXAMPLES * 2 // 5)                        # pages read only a few query parameters
# POSTs that can change the acting accounts (roles, password, active, session epoch): undone after each
ACCOUNT_ROUTES = ("/admin/users", "/account", "/logout", "/invite", "/reset", "/register", "/login")
STREAMS = {"live.events", "live.staff_events"}                    # held open: fuzzed through the engine
BOOKS = {"workbook.download", "workbook.preparing", "workbook.status",   # a whole PDF per request: a few examples
         "checklist.checklist_download"}
NOT_FUZZED = {"static"} | STREAMS | BOOKS
BOOK_EXAMPLES = 4
HUGE_INTS = (2**31, 2**63, 10**30)

# Every name a view or form reads, and the shapes of the dynamic ones (filled in from the seed).
FIELD_NAMES = [
    "action", "active", "blank", "body", "check", "code", "cohort_id", "confirm", "correct", "current", "day",
    "dir", "display_name", "edition", "email", "emails", "ends_on", "group", "index", "initiative_name",
    "instructors", "lesson", "minutes", "mode", "multiple", "name", "next", "note", "on", "options",
    "override_reason", "password", "prompt", "purpose", "q", "question", "reason", "remember", "roles", "since",
    "sort", "source", "starts_on", "target", "token", "track", "until", "user_id", "visible", "actor", "answer",
    "on_date", "starts", "ends", "zone_name", "place", "link", "cohort-zone_name",   # schedules (app/schedule)
]
TRICKY = [
    "", " ", "0", "1", "-1", "00", "2", "²", "٣", "Ⅻ", "1e400", "nan", "inf", "-0.0", "9" * 5000, "1" * 4400,
    "2027-02-30", "2026-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "2026-01-01T00:00", "\x00", "a\x00b",
    "a\r\nb", "<script>alert(1)</script>", "../../etc/passwd", "%s%s%n", "{{7*7}}", "null", "[]", "{}", "true",
    "desc", "asc", "name", "progress", "trainee", "instructor", "admin", "import", "invite", "reset", "submit",
    "save", "bank", "adhoc", "live", "self-study", "blended", "ABCD-EFGH-JKMN-PQRS-T", "\u202e", "\ufeff",
    "x" * 121, "x" * 501, "x" * 10_001,
]
CONTROL = ["\x00", "a\x00b", "\x00" * 3, "\x1b[31m", "\x7f", "\x08", "\u2028", "\ufffe"]
SWEEP = ["a\x00b", "x" * 100_000, "²", "-1", ["a", "b"]]   # one at a time into every real form field
SWEPT_FIELDS = 12
HUGE_TEXT = ["x" * 100_000, "é" * 20_000, "\U0001F600" * 5_000, "a\n" * 20_000]
BAD_JSON = [b"{", b"[1,", b"\xff\xfe", b"NaN", b'{"answer": NaN}', b"",
            b"[" * 50_000 + b"]" * 50_000,                                     # deeper than the parser recurses
            b'{"answer":' * 20_000 + b"1" + b"}" * 20_000,
            b'{"answer": [' + b'"o1",' * 300_000 + b'"o2"]}',                   # 2 MB, one flat list
            b'{"answer": "' + b"\\u0000" * 50_000 + b'"}']

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@pytest.fixture(scope="module")
def fuzz_app(module_database: str, isolated_client_class) -> Iterator[Flask]:
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": module_database, "PROPAGATE_EXCEPTIONS": False,
                              "CONTENT_RELOAD_SECONDS": 0})
    application.test_client_class = isolated_client_class
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(app: Flask, password: str) -> dict:
    """People, a cohort, a live session with a poll and an answer, attempts, a certificate, links…"""
    from app.auth import services as accounts
    from app.auth.passwords import hash_password
    from app.certificates import services as certificates
    from app.checklist import services as checklist
    from app.checklist.state import EntryState
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.jobs import services as jobs
    from app.learn import services as learn
    from app.live import polls, sessions
    from app.live.broker import current_broker
    from app.quizzes import services as quizzes

    now = utcnow()
    cat = catalog()
    password_hash = hash_password(password)

    def person(email: str, roles: tuple[str, ...]) -> User:
        user = User(email=email, display_name=email.split("@")[0].title(), password_hash=password_hash,
                    is_active=True, created_at=now)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        db.session.commit()
        return user

    staff = person("staff@example.org", ("admin", "instructor"))
    trainee = person("trainee@example.org", ("trainee",))
    other = person("other@example.org", ("trainee",))
    invited = accounts.create_user("invited@example.org", "Invited Person", ["trainee"], password=None, now=now,
                                   actor_id=staff.id)
    cohort = cohorts.save_cohort(staff.id, None, name="Fuzz cohort", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[staff.id], now=now)
    cohorts.enrol(staff.id, cohort.id, [trainee.id, other.id], now=now)
    second = cohorts.save_cohort(staff.id, None, name="Other cohort", track="self-study", starts_on=None,
                                 ends_on=None, instructor_ids=[], now=now)
    lessons = cat.lessons
    for lesson in lessons[:5]:
        learn.complete_lesson(trainee.id, lesson, now=now)
    noted = next(lesson for lesson in lessons if lesson.reflection_keys)
    learn.save_note(trainee.id, noted, noted.reflection_keys[0], "A note with ünïcode", now=now)
    checklist.save(trainee.id, cat.checklist, "Our initiative",
                   {cat.checklist.items[0].id: EntryState("yes", "done it", now.date())}, now=now)

    immediate = cat.quiz("stage-01")
    deferred = cat.quiz("day-1-assessment")
    open_attempt = quizzes.start_attempt(trainee.id, immediate, now=now)
    done = quizzes.start_attempt(trainee.id, deferred, now=now)
    quizzes.submit_attempt(trainee.id, done.id, done.submit_token, {}, now=now, allow_unanswered=True)
    staff_attempt = quizzes.start_attempt(staff.id, immediate, now=now)

    broker = current_broker()
    session = sessions.start_session(staff.id, cohort.id, 1, cat, now=now)
    sessions.join(broker, trainee.id, session.code, now=now)
    bank = next(q for q in cat.quiz("stage-03").questions if q.type == "single")
    poll = polls.launch_poll(broker, staff.id, session.id, bank, quiz_key="stage-03", scored=True, now=now)
    polls.answer(broker, trainee.id, session.id, poll.id, bank.body.correct[0], now=now)
    # the room's other voices (issue 20), so their forms are on the pages: an open answer waiting for
    # approval, a question asked in Q&A, guests allowed (and one joined), the lesson as slides
    from app.live import guests, kinds, qna, slides
    wall = polls.launch_poll(broker, staff.id, session.id, kinds.adhoc_question("open_text", "What worries you?"),
                             quiz_key=None, scored=False, now=now)
    polls.answer(broker, trainee.id, session.id, wall.id, "That nobody comes", now=now)
    asked = qna.post_question(broker, trainee.id, session.id, "Is there a printed checklist?", now=now)
    guests.set_guests_allowed(broker, staff.id, session.id, True, now=now)
    visitor = guests.join_as_guest(broker, session.code, "Sam Visitor", now=now)
    slides.start_slides(broker, staff.id, session.id, lessons[3].slug, cat)

    # a scheduled day today (its change, cancel and one-click start forms) and a calendar feed
    from datetime import time as clock

    from app.schedule import services as schedules
    from app.schedule.times import EntryInput, today_in
    scheduled = schedules.add_entry(staff.id, cohort.id, EntryInput(1, today_in("UTC", now), clock(0), clock(23, 59),
                                                                    "UTC", "Room 1"), cat, now=now)
    feed_token = schedules.new_feed_token(trainee.id, now=now)
    certificate = certificates.issue(staff.id, other.id, cat, now=now, cohort_id=cohort.id,
                                     override_reason="Seeded for the fuzz test")
    job = jobs.create_job("users.import", staff.id)
    secret = app.config["SECRET_KEY"]
    invite = accounts.issue_link(invited.id, "invite", secret_key=secret, max_age=3600, created_by_id=staff.id,
                                 now=now)
    reset = accounts.issue_link(other.id, "reset", secret_key=secret, max_age=3600, created_by_id=staff.id,
                                now=now)
    # question field names of the seeded attempts (the quiz forms' q-<id> and q-<id>--<part>)
    question_fields = []
    for attempt in (open_attempt, staff_attempt):
        for q in attempt.questions:
            question_fields.append(f"q-{q['id']}")
            display = q.get("display", {})
            for part in list(display.get("options", [])) + list(display.get("pairs", [])):
                question_fields.append(f"q-{q['id']}--{part if isinstance(part, str) else part.get('id')}")
            question_fields.append(f"q-{q['id']}--present")
    question_fields += [f"q-{bank.id}", f"q-{bank.id}--present"]
    items = [item.id for item in cat.checklist.items[:3]]
    return {
        "ids": {
            "user_id": [staff.id, trainee.id, other.id, invited.id],
            "cohort_id": [cohort.id, second.id],
            "session_id": [session.id],
            "poll_id": [poll.id, wall.id],
            "question_id": [asked.id],
            "answer_id": [a for a in [_answer_id(wall.id)] if a],
            "guest_id": [visitor.id],
            "attempt_id": [open_attempt.id, done.id, staff_attempt.id],
            "job_id": [job.id],
            "entry_id": [scheduled.id],
            "number": [1, 2],
        },
        "text": {
            "code": [certificate.code, certificate.display_code, session.code, cohort.enrolment_code],
            "token": [invite.token, reset.token, feed_token],
            "slug": [noted.slug, lessons[0].slug, lessons[-1].slug],
            "prompt_key": list(noted.reflection_keys),
            "quiz_id": ["stage-01", "day-1-assessment", "stage-03"],
        },
        "fields": FIELD_NAMES + question_fields + [f"{kind}-{item}" for item in items for kind in ("answer", "note", "date")],
        "values": [str(v) for v in (staff.id, trainee.id, cohort.id, session.id, poll.id, open_attempt.id)]
                  + [open_attempt.submit_token, "stage-03/" + bank.id, certificate.display_code, session.code,
                     cohort.enrolment_code, lessons[1].slug, trainee.email, staff.email] + list(bank.body.correct),
        "actors": {"staff": staff.id, "trainee": trainee.id},
        "session_code": session.code,
    }


class _Forms(HTMLParser):
    """The forms of a page (action, method, fields with their values) and the links with a query."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms = page, []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action") or self.page, "method": (a.get("method") or "get").upper(),
                          "fields": [], "choices": []}
            self.forms.append(self._form)
        elif tag == "a" and "?" in a.get("href", ""):
            self.forms.append({"action": a["href"], "method": "GET", "choices": [],
                               "fields": parse_qsl(urlsplit(a["href"]).query, keep_blank_values=True)})
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "button" or a.get("type") in ("checkbox", "radio") and "checked" not in a:
            self._form["choices"].append((a["name"], a.get("value", "on")))
        elif tag in ("input", "select", "textarea"):
            self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "option" and self._form["fields"]:
            self._form["choices"].append((self._form["fields"][-1][0], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _answer_id(poll_id: int) -> int | None:
    from app.live.models import LiveAnswer

    return db.session.scalar(sa.select(LiveAnswer.id).where(LiveAnswer.poll_id == poll_id))


def _harvest(app: Flask, seed: dict) -> None:
    """Read every page the two people can see and keep, per endpoint, what its forms and links
    send (address, fields, choices): the fuzzer starts from real submissions and bends them."""
    adapter = app.url_map.bind("localhost")
    forms: dict[tuple[str, str], list[dict]] = {}
    values: set[str] = set()
    for _endpoint, method, rule in _rules(app):
        if method != "GET":
            continue
        page = ARGUMENT.sub(lambda m: str((seed["ids"] if m.group(1) == "int" else seed["text"])
                                          .get(m.group(2), ["x"])[0]), rule)
        for actor in ("staff", "trainee"):
            client = app.test_client()
            client.set_cookie("session", seed["cookies"][actor])
            response = client.get(page)
            if response.mimetype != "text/html":
                continue
            parser = _Forms(page)
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                path = urlsplit(form["action"]).path
                try:
                    target, _args = adapter.match(path, method=form["method"])
                except HTTPException:
                    continue
                fields = [(k, v) for k, v in form["fields"] if k != "csrf_token"]
                forms.setdefault((target, form["method"]), []).append(
                    {"path": path, "actor": actor, "fields": fields, "choices": form["choices"]})
                values.update(v for _k, v in fields + form["choices"] if v and len(v) < 200)
    seed["forms"] = forms
    seed["values"] = sorted(set(seed["values"]) | values)


@pytest.fixture(scope="module")
def seeded(fuzz_app: Flask, password) -> dict:
    with fuzz_app.app_context():
        seed = _seed(fuzz_app, password)
        for name, user_id in seed["actors"].items():
            user = db.session.get(User, user_id)
            client = fuzz_app.test_client()
            response = client.post("/login", data={"email": user.email, "password": password})
            assert response.status_code == 302, response.status_code
            seed.setdefault("cookies", {})[name] = client.get_cookie("session").value
            seed.setdefault("accounts", {})[name] = (user.password_hash, user.session_epoch,
                                                     sorted(r.role for r in user.role_rows))
        db.session.remove()
    _harvest(fuzz_app, seed)
    return seed


def _restore(app: Flask, seed: dict) -> None:
    """Undo what a request may have done to the two acting accounts (deactivated, roles changed,
    password changed, signed out everywhere), so every request starts signed in."""
    with app.app_context():
        for name, user_id in seed["actors"].items():
            password_hash, epoch, roles = seed["accounts"][name]
            user = db.session.get(User, user_id)
            if (user.is_active, user.session_epoch, user.password_hash) != (True, epoch, password_hash):
                user.is_active, user.session_epoch, user.password_hash = True, epoch, password_hash
            if sorted(r.role for r in user.role_rows) != roles:
                user.role_rows = [UserRole(role=r) for r in roles]
            db.session.commit()
        db.session.remove()


def _send(app: Flask, seed: dict, actor: str, method: str, path: str, options: dict):
    client = app.test_client()
    client.set_cookie("session", seed["cookies"][actor])
    try:
        return client.open(path, method=method, **options)
    finally:
        if method == "POST" and path.startswith(ACCOUNT_ROUTES):
            _restore(app, seed)


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule: str, draw, seed: dict) -> str:
    def one(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            known = seed["ids"].get(name, [1])
            value = draw(st.one_of(st.sampled_from(known), st.integers(0, 10**6), st.sampled_from(HUGE_INTS)))
            return str(value)
        known = seed["text"].get(name, ["x"])
        value = draw(st.one_of(st.sampled_from(known), st.sampled_from(known).map(str.lower), text.filter(bool),
                               st.sampled_from(TRICKY).filter(bool)))
        return quote(value, safe="")
    return ARGUMENT.sub(one, rule)


def _values(seed: dict, *, huge: bool = True):
    scalar = st.one_of(text, st.sampled_from(TRICKY), st.sampled_from(CONTROL),
                       st.sampled_from(HUGE_TEXT if huge else TRICKY),
                       st.integers(-2**70, 2**70).map(str), st.floats().map(str), st.sampled_from(seed["values"]))
    return st.one_of(scalar, st.lists(scalar, min_size=2, max_size=4))


def _json(seed: dict):
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                     st.floats(allow_nan=False, allow_infinity=False), text, st.sampled_from(TRICKY),
                     st.sampled_from(CONTROL), st.sampled_from(seed["values"]))
    keys = st.sampled_from(seed["fields"]) | text

    def nested(children):
        return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)

    tree = st.recursive(leaf, nested, max_leaves=12)
    return st.one_of(tree, st.dictionaries(st.sampled_from(seed["fields"]), tree, max_size=5))


def _real_data(form: dict, chosen: list) -> dict:
    data: dict = {}
    for key, value in form["fields"] + chosen:
        data.setdefault(key, []).append(value)
    return data


def _request(draw, endpoint: str, method: str, rule: str, seed: dict) -> tuple[str, dict]:
    """(path, keyword arguments for client.open) for one generated request."""
    real = seed["forms"].get((endpoint, method), [])
    names = sorted({k for form in real for k, _v in form["fields"] + form["choices"]})
    keys = st.one_of(st.sampled_from(names), st.sampled_from(seed["fields"]), text) if names else \
        st.one_of(st.sampled_from(seed["fields"]), text)
    options: dict = {"headers": {}}
    accept = draw(st.sampled_from([None, "text/html", "application/json", "*/*", "text/event-stream"]))
    if accept:
        options["headers"]["Accept"] = accept
    shapes = ["random", "json", "bad-json", "file"] if method == "POST" else ["random"]
    shape = draw(st.sampled_from(shapes + ["real", "real", "real"] if real else shapes))
    path = _path(rule, draw, seed)
    if shape == "json":
        options["json"] = draw(_json(seed))
    elif shape == "bad-json":
        options["data"] = draw(st.sampled_from(BAD_JSON))
        options["content_type"] = "application/json"
    elif shape == "real":
        # a real submission (its fields and some of its choices), with fields replaced or added
        form = draw(st.sampled_from(real))
        path = draw(st.sampled_from([path, form["path"]]))
        data = _real_data(form, draw(st.lists(st.sampled_from(form["choices"]), max_size=4))
                          if form["choices"] else [])
        for key in sorted(data):
            if draw(st.integers(0, 2)) == 0:
                data[key] = draw(_values(seed))
        data.update(draw(st.dictionaries(keys, _values(seed), max_size=2)))
        options["query_string" if method == "GET" else "data"] = data
    else:
        # (a multipart body over 500 kB is spooled to a temporary file the test client never closes)
        data = draw(st.dictionaries(keys, _values(seed, huge=shape != "file"), max_size=8))
        if shape == "file":
            content = draw(st.one_of(st.binary(max_size=2000), st.sampled_from([
                b"email,name\nnew@example.org,New Person\n", b"\xef\xbb\xbfemail,name,cohort\n,,\n", b"%PDF-1.7\n"])))
            name = draw(st.sampled_from(["people.csv", "certificate.pdf", "", "../x.csv", "é.pdf"]))
            data[draw(st.sampled_from(["file", "pdf"]))] = (io.BytesIO(content), name)
        options["query_string" if method == "GET" else "data"] = data
    return path, options


def _rules(app: Flask) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_FUZZED:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            out.append((rule.endpoint, method, rule.rule))
    return sorted(out)


def _fuzz(app: Flask, seed: dict, actor: str, endpoint: str, method: str, rule: str,
          examples: int | None = None) -> None:
    @settings(max_examples=examples or (EXAMPLES if method == "POST" else GET_EXAMPLES), deadline=None, database=None,
              phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data) -> None:
        path, options = _request(data.draw, endpoint, method, rule, seed)
        response = _send(app, seed, actor, method, path, options)
        assert response.status_code < 500, \
            f"{actor}: {method} {path} answered {response.status_code} to {repr(options)[:400]}"

    run()


def _sweep(app: Flask, seed: dict) -> list[str]:
    """Deterministic part: every real form, each of (at most 12 of) its fields in turn set to
    each nasty value, sent as the person whose page showed the form."""
    failures = []
    for (endpoint, method), variants in sorted(seed["forms"].items()):
        if endpoint in NOT_FUZZED:
            continue
        form = variants[0]
        names = sorted({k for k, _v in form["fields"] + form["choices"]})
        for name in names[:: max(1, len(names) // SWEPT_FIELDS)][:SWEPT_FIELDS]:
            for nasty in SWEEP:
                data = _real_data(form, [])
                data[name] = nasty
                options = {"query_string" if method == "GET" else "data": data}
                response = _send(app, seed, form["actor"], method, form["path"], options)
                if response.status_code >= 500:
                    failures.append(f"sweep {form['actor']} {method} {form['path']}: {name}={nasty[:20]!r} answered "
                                    f"{response.status_code}")
    return failures


def test_no_form_or_json_endpoint_answers_500(fuzz_app, seeded):
    started = time.monotonic()
    rules = _rules(fuzz_app)
    # the pages really led to the forms: most POST routes were reached with a real submission
    posts = {endpoint for endpoint, method, _rule in rules if method == "POST"}
    harvested = {endpoint for endpoint, method in seeded["forms"] if method == "POST"}
    assert len(posts) > 30 and len(harvested) > len(posts) * 2 // 3, sorted(posts - harvested)

    failures = _sweep(fuzz_app, seeded)
    swept = time.monotonic() - started
    for endpoint, method, rule in rules:
        for actor in ("staff", "trainee"):
            try:
                _fuzz(fuzz_app, seeded, actor, endpoint, method, rule)
            except Exception as exc:  # noqa: BLE001 - every failing route is reported together
                failures.append(f"{actor} {method} {rule}: {str(exc).splitlines()[0][:600]}")
    print(f"swept {len(seeded['forms'])} real forms in {swept:.0f}s, fuzzed {len(rules)} route/method pairs "
          f"(real submissions for {len(harvested)} POST endpoints); {time.monotonic() - started:.0f}s in all")
    assert not failures, "\n".join(failures)


def _all_rules(app: Flask, endpoints: set[str]) -> list[tuple[str, str, str]]:
    return sorted((rule.endpoint, "GET", rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint in endpoints)


def test_pdf_downloads_answer_no_500(fuzz_app, seeded):
    """The workbook and checklist PDFs, with bent query parameters, as both people."""
    failures = []
    rules = _all_rules(fuzz_app, BOOKS)
    assert len(rules) == len(BOOKS)
    for endpoint, method, rule in rules:
        for actor in ("staff", "trainee"):
            try:
                _fuzz(fuzz_app, seeded, actor, endpoint, method, rule, examples=BOOK_EXAMPLES)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{actor} {method} {rule}: {str(exc).splitlines()[0][:600]}")
    assert not failures, "\n".join(failures)


def test_event_streams_answer_no_500_through_the_engine(fuzz_app, seeded, engine):
    """Both event streams opened through the real engine with bent session ids and headers: each
    answers a deliberate status (200 with a first event, or 403, 404, 429, 503) and never 500."""
    import http.client


    rules = _all_rules(fuzz_app, STREAMS)
    assert len(rules) == len(STREAMS)
    fuzz_app.config["LIVE_STREAM_OPENS_PER_MINUTE"] = 100_000   # the per-browser open rate is tested elsewhere
    header_values = st.one_of(text, st.sampled_from(TRICKY + CONTROL), st.integers(-2**70, 2**70).map(str)).map(
        lambda v: re.sub(r"[\x00\r\n]", "", v))   # a header cannot carry these (http.client refuses to send them)
    seen: set[int] = set()
    failures: list[str] = []
    with engine(fuzz_app) as (base, _asgi):
        host, port = base.removeprefix("http://").split(":")

        def open_stream(actor: str, path: str, headers: dict[str, str]) -> int:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                sent = {"Cookie": f"session={seeded['cookies'][actor]}", **headers}
                conn.putrequest("GET", path, skip_accept_encoding=True)
                for name, value in sent.items():
                    conn.putheader(name, value.encode("utf-8", "surrogatepass"))
                conn.endheaders()
                response = conn.getresponse()
                if response.status == 200:
                    first = response.readline()
                    assert first.startswith((b"event:", b":", b"retry:", b"id:")), first
                else:
                    response.read()
                return response.status
            finally:
                conn.close()

        def fuzz_one(rule: str, actor: str) -> None:
            @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=(Phase.explicit, Phase.generate),
                      report_multiple_bugs=False, suppress_health_check=list(HealthCheck))
            @given(data=st.data())
            def run(data) -> None:
                path = _path(rule, data.draw, seeded)
                headers = {}
                for name in ("Last-Event-ID", "Origin", "Accept", "X-Forwarded-For"):
                    if data.draw(st.booleans()):
                        headers[name] = data.draw(header_values)
                status = open_stream(actor, path, headers)
                seen.add(status)
                assert status in (200, 400, 403, 404, 429, 503), f"{actor}: GET {path} {headers!r} answered {status}"

            run()

        for endpoint, _method, rule in rules:
            for actor in ("staff", "trainee"):
                try:
                    fuzz_one(rule, actor)
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"{endpoint} as {actor}: {str(exc).splitlines()[0][:600]}")
    assert not failures, "\n".join(failures)
    assert 200 in seen and seen & {403, 404}, seen   # real streams were opened, and refusals happened
