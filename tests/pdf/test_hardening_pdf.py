"""Regression tests for issue 15 (security test), the PDF findings 1, 3 and 11b.

Each test is named after the finding it guards.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.certificates import services
from app.certificates.models import Certificate
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import CertificateNotMade
from app.extensions import db
from app.jobs.models import Job

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
def app_config(database_uri, request):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri}
    if "limited" in request.fixturenames:
        config.update(RATELIMIT_ENABLED=True, PDF_RENDER_LIMIT="2 per minute")
    return config

LONG_NAMES = {
    "unbroken": "W" * 120,
    "spaces": " ".join(["Wolfgang"] * 14)[:120],
    "mixed": "Maximilian Alexander " + "Q" * 99,
    "accents": "Ŵ" * 120,
    "cjk": "龍" * 120,
    "cyrillic": "Щ" * 120,
    "typical": "Bartholomew-Fitzgerald Montgomery-Castellanos de la Vega y Hohenzollern",
    "short": "Ana Ruiz",
}


def snapshot(name: str) -> services.Snapshot:
    return services.Snapshot(code="ABCDEFGHJKMNPQRST", holder_name=name, course_title=catalog().course.title,
                             course_code=catalog().course.code, hours=14, completed_on=date(2026, 5, 1),
                             issuer_org="Lectern Professional Training", issuer_name="Lectern Professional Training",
                             verify_url=services.verify_url("ABCDEFGHJKMNPQRST"))


def boxes_by_class(box, found=None):
    """Every laid-out box of an element with a class, by class name (first one only)."""
    found = {} if found is None else found
    element = getattr(box, "element", None)
    if element is not None and element.get("class"):
        for name in element.get("class").split():
            found.setdefault(name, box)
    for child in getattr(box, "children", ()):
        boxes_by_class(child, found)
    return found


def bottom(box) -> float:
    return box.position_y + box.margin_height()


# --- finding 1: one long name blocked certificate issuing ----------------------------------------

@pytest.mark.parametrize("kind", sorted(LONG_NAMES))
def test_finding_1_long_name_fits_the_certificate_on_one_page_without_overlap(app, kind):
    from app.pdf.render import render_document

    document = render_document(services._html(snapshot(LONG_NAMES[kind])), services.CSS)
    assert len(document.pages) == 1
    boxes = boxes_by_class(document.pages[0]._page_box)
    name, date_line, footer, frame = boxes["name"], boxes["date"], boxes["bottom"], boxes["frame"]
    # the name stays inside the frame, and the text under it ends above the signature/QR footer
    assert frame.content_box_x() <= name.content_box_x()
    assert name.content_box_x() + name.width <= frame.content_box_x() + frame.width
    assert bottom(name) < date_line.position_y < bottom(date_line) <= footer.position_y


def test_finding_1_long_name_is_issued_and_printed_whole(app, make_user):
    person = make_user(display_name="W" * 120)
    certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason="test")
    assert certificate.holder_name == "W" * 120 and services.pdf_of(certificate.id).startswith(b"%PDF")


def test_finding_1_a_certificate_that_cannot_be_made_is_a_message_not_a_500(app, make_user, monkeypatch, login):
    # the name sizes switched off: a 120-character name takes two pages again, as before the fix
    monkeypatch.setattr(services, "name_size", lambda name: 34)
    admin, person = make_user(roles=("admin",)), make_user(display_name="W" * 120)
    cohort = cohorts.save_cohort(admin.id, None, name="Long names", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [person.id], now=utcnow())
    client = login(app, admin)
    response = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue",
                           data={"user_id": person.id, "override_reason": "test"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"The certificate for {'W' * 120} could not be made, so it was not issued" in page
    assert "The PDF would have 2 pages" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    with pytest.raises(CertificateNotMade):
        services.issue(None, person.id, catalog(), now=utcnow(), override_reason="test")


def test_finding_1_issue_all_issues_everyone_else_and_names_who_failed(app, make_user, monkeypatch, login, make_eligible):
    long_name = "W" * 120
    monkeypatch.setattr(services, "name_size", lambda name: 34)   # as before the fix: this name cannot fit
    admin = make_user(roles=("admin",))
    people = [make_user(display_name="Ana Ruiz"), make_user(display_name=long_name), make_user(display_name="Bo Li")]
    cohort = cohorts.save_cohort(admin.id, None, name="Batch", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [p.id for p in people], now=utcnow())
    for person in people:
        make_eligible(person.id)
    client = login(app, admin)
    response = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue-all")
    job = db.session.get(Job, int(response.location.rsplit("/", 1)[-1]))
    assert job.status == "done" and job.result["issued"] == 2
    assert [f["name"] for f in job.result["failed"]] == [long_name]
    page = client.get(response.location).get_data(as_text=True)
    assert "Issued 2 certificates in Batch" in page and "1 certificate could not be made" in page and long_name in page
    holders = set(db.session.scalars(sa.select(Certificate.holder_name)))
    assert holders == {"Ana Ruiz", "Bo Li"}
    # once the name fits (the fix), running it again issues the one left out
    monkeypatch.undo()
    again = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue-all")
    job = db.session.get(Job, int(again.location.rsplit("/", 1)[-1]))
    assert job.result["issued"] == 1 and job.result["failed"] == [] and job.result["skipped"] == 2


def test_finding_1_cli_bulk_issue_reports_who_failed(app, runner, make_user, monkeypatch, make_eligible):
    monkeypatch.setattr(services, "name_size", lambda name: 34)
    admin = make_user(roles=("admin",))
    people = [make_user(display_name="Ana Ruiz"), make_user(display_name="W" * 120)]
    cohort = cohorts.save_cohort(admin.id, None, name="CLI batch", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [p.id for p in people], now=utcnow())
    for person in people:
        make_eligible(person.id)
    result = runner.invoke(args=["certificates", "issue", "--cohort", "CLI batch"])
    assert result.exit_code != 0 and "Issued 1 certificate(s)" in result.output
    assert f"Not issued to {'W' * 120}: The PDF would have 2 pages" in result.output


# --- finding 3: PDF generation could be starved by one user ---------------------------------------

@pytest.fixture
def fresh_pdf_caches(app, tmp_path, monkeypatch):
    """Empty PDF caches, and a count of the documents actually laid out."""
    from app.checklist import pdf as checklist_pdf
    from app.pdf import lazy_render
    from app.workbook import build

    checklist_pdf._cache.clear()
    monkeypatch.setattr(build, "_cache", {})
    app.instance_path = str(tmp_path)
    made = []
    real = lazy_render.render_pdf

    def counting(html, *args, **kwargs):
        made.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(lazy_render, "render_pdf", counting)
    yield made
    checklist_pdf._cache.clear()


@pytest.fixture
def render_queue_busy():
    """Another document is being laid out in this process until the block ends."""
    import threading
    from contextlib import contextmanager

    from app.pdf import render

    @contextmanager
    def busy():
        release, holding = threading.Event(), threading.Event()

        def hold():
            with render._queue.turn():
                holding.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait(5)
        try:
            yield
        finally:
            release.set()
            holder.join(5)

    return busy


def test_finding_3_checklist_pdfs_are_cached_by_their_content(app, make_user, fresh_pdf_caches, login):
    first, second = login(app, make_user()), login(app, make_user())
    assert first.get("/checklist.pdf?blank=1").status_code == 200
    assert second.get("/checklist.pdf?blank=1").data == first.get("/checklist.pdf?blank=1").data
    assert len(fresh_pdf_caches) == 1                       # the blank one, made once for everyone
    notes = {f"note-{item.id}": ("Note " * 100)[:500] for item in catalog().checklist.items}
    first.post("/checklist", data={"initiative_name": "Harbour cluster", **notes})
    personal = first.get("/checklist.pdf")
    assert personal.status_code == 200 and first.get("/checklist.pdf").data == personal.data
    assert len(fresh_pdf_caches) == 2                       # the personal one, made once while unchanged
    first.post("/checklist", data={"initiative_name": "Harbour cluster", **notes, "answer-" + catalog().checklist.items[0].id: "yes"})
    assert first.get("/checklist.pdf").data != personal.data and len(fresh_pdf_caches) == 3
    assert second.get("/checklist.pdf").data != personal.data  # another person's is their own


@pytest.fixture
def limited():
    """Rate limits on, two PDFs made per person and minute (see app_config)."""


def test_finding_3_pdfs_made_are_limited_per_person_and_cached_ones_do_not_count(
        app, make_user, fresh_pdf_caches, limited, login):
    person, other = make_user(), make_user()
    client = login(app, person)
    for _ in range(4):                                      # one render, then the cache
        assert client.get("/checklist.pdf?blank=1").status_code == 200
    client.post("/checklist", data={"initiative_name": "First"})
    assert client.get("/checklist.pdf").status_code == 200  # the second render
    client.post("/checklist", data={"initiative_name": "Second"})
    refused = client.get("/checklist.pdf")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Please try again in a minute" in page and len(fresh_pdf_caches) == 2
    assert client.get("/workbook.pdf").status_code == 429   # the same limit covers every PDF made on request
    assert login(app, other).get("/checklist.pdf").status_code == 200  # per person


@pytest.mark.parametrize("url", ["/checklist.pdf", "/checklist.pdf?blank=1"])  # the workbook: test_workbook_background
def test_finding_3_a_full_render_queue_answers_429_at_once_instead_of_waiting(
        app, make_user, fresh_pdf_caches, render_queue_busy, url, login):
    import time

    app.config["PDF_RENDER_QUEUE"] = 0
    client = login(app, make_user())
    with render_queue_busy():
        started = time.perf_counter()
        response = client.get(url)
        assert time.perf_counter() - started < 2
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Many PDFs are being made right now. Please try again in a minute." in response.get_data(as_text=True)
    assert client.get(url).status_code == 200               # once the queue has room


def test_finding_3_certificate_issue_and_reissue_answer_429_when_the_queue_is_full(
        app, make_user, render_queue_busy, login):
    app.config["PDF_RENDER_QUEUE"] = 0
    admin, person = make_user(roles=("admin",)), make_user(display_name="Ana Ruiz")
    cohort = cohorts.save_cohort(admin.id, None, name="Queue", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [person.id], now=utcnow())
    client = login(app, admin)
    form = {"user_id": person.id, "override_reason": "test"}
    with render_queue_busy():
        response = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue", data=form)
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "try again in a minute" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    assert client.post(f"/admin/cohorts/{cohort.id}/certificates/issue", data=form).status_code == 302
    certificate = db.session.scalars(sa.select(Certificate)).one()
    with render_queue_busy():
        response = client.post(f"/admin/certificates/{certificate.display_code}/reissue")
    assert response.status_code == 429 and db.session.get(Certificate, certificate.id).status == "valid"


def test_finding_3_bulk_issue_waits_for_its_turn_instead_of_failing(app, make_user, render_queue_busy, make_eligible):
    import threading

    app.config["PDF_RENDER_QUEUE"] = 0
    people = [make_user(display_name=f"Trainee {n}") for n in range(3)]
    for person in people:
        make_eligible(person.id)
    outcome = []
    with render_queue_busy():
        def run():
            with app.app_context():
                outcome.append(services.issue_many(None, [p.id for p in people], catalog(), now=utcnow()))

        job = threading.Thread(target=run)
        job.start()
        job.join(0.5)
        assert job.is_alive()                               # waiting for the queue, not refused
    job.join(30)
    assert outcome and outcome[0].issued == 3 and not outcome[0].failed


# --- finding 11b: no attachments in our PDFs --------------------------------------------------------

def test_finding_11b_no_pdf_template_relies_on_attachments():
    templates = [p for p in APP_DIR.rglob("*.html") if "pdf" in p.name or p.parent.name in ("certificates", "workbook")]
    assert templates
    for path in templates:
        assert "attachment" not in path.read_text(encoding="utf-8").lower(), path
