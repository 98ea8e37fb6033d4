from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from app.activities import services as activities
from app.certificates.services import certificates_of, verify_url
from app.content.catalog import catalog
from app.content.rendering import plain_text
from app.db import utcnow
from app.learn import services as learn
from app.progress import services
from app.progress.notes import notes_markdown
from app.quizzes.services import standings

bp = Blueprint("progress", __name__, template_folder="templates")


@bp.get("/progress")
@login_required
def progress():
    cat = catalog()
    report = services.report_for(current_user.id, cat, now=utcnow())
    overview = learn.overview(cat, learn.learner_state(current_user.id))
    certificates = certificates_of(current_user.id)
    return render_template("progress/progress.html", report=report, overview=overview, catalog=cat,
                           certificates=certificates, verify_urls={c.id: verify_url(c.code) for c in certificates},
                           standings=standings(current_user.id, cat.quizzes),
                           seconds=services.study_seconds(current_user.id),
                           notes=learn.notes_in_course_order(current_user.id, cat),
                           live_days=services.live_days(current_user.id, cat),
                           activity_submissions=activities.submissions_by_activity(current_user.id))


@bp.get("/progress/notes.md")
@login_required
def notes_export():
    cat = catalog()
    entries = [(lesson.title, plain_text(str(prompt)), note.body, note.updated_at)
               for lesson, prompt, note in learn.notes_in_course_order(current_user.id, cat)]
    text = notes_markdown(cat.course.title, current_user.display_name, utcnow(), entries)
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": 'attachment; filename="reflection-notes.md"'})
