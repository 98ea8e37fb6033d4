"""Schedule pages: a cohort's scheduled days (staff), the one-click start, the account page for
the reader's time zone and calendar feed, and the feed itself (no session: calendar apps fetch it
with the secret in the address)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.auth.access import instructor_required
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import InputRejected
from app.extensions import limiter
from app.schedule import mails, services, times
from app.schedule.forms import CohortZoneForm, EntryForm, PlainForm, ReaderZoneForm, zone_choices
from app.web import public_url, refusals

bp = Blueprint("schedule", __name__, template_folder="templates")

FEED_LIMIT = "60 per minute"


def _entry_form(cohort_zone: str, *, formdata: bool = True, obj=None) -> EntryForm:
    form = EntryForm() if formdata else EntryForm(formdata=None)
    form.day.choices = [(d.number, times.day_label(d.number, d.title)) for d in catalog().course.days]
    form.zone_name.choices = zone_choices()
    if obj is not None and not form.is_submitted():
        form.day.data, form.on_date.data = obj.day, obj.on_date
        form.starts.data, form.ends.data = obj.starts_at, obj.ends_at
        form.zone_name.data, form.place.data, form.link.data = obj.time_zone, obj.place, obj.link
    elif not form.is_submitted():
        form.zone_name.data = cohort_zone
    return form


def _input(form: EntryForm) -> times.EntryInput:
    return times.EntryInput(day=form.day.data if isinstance(form.day.data, int) else None, on=form.on_date.data,
                            starts=form.starts.data, ends=form.ends.data, zone_name=form.zone_name.data or "",
                            place=form.place.data or "", link=form.link.data or "")


def _put_problems(form: EntryForm, exc: services.ScheduleRejected | InputRejected) -> None:
    found = getattr(exc, "problems", None) or [(exc.field or "day", str(exc))]
    for field, message in found:
        target = getattr(form, field, None) or form.day
        target.errors = [*target.errors, message]


def _manage_page(cohort_id: int, form: EntryForm | None = None, zone_form: CohortZoneForm | None = None,
                 status: int = 200):
    cohort = cohorts.cohort_for_staff(current_user, cohort_id)
    zone = services.cohort_zone(cohort)
    if zone_form is None:
        zone_form = CohortZoneForm(formdata=None, prefix="cohort")
        zone_form.zone_name.data = cohort.time_zone or ""
    zone_form.zone_name.choices = zone_choices(blank=f"The site's default ({services.site_zone()})")
    rows = services.schedule_of(cohort, services.reader_zone_setting(current_user.id), catalog(), now=utcnow())
    return render_template("schedule/manage.html", cohort=cohort, rows=rows, cohort_zone=zone,
                           form=form or _entry_form(zone, formdata=False), zone_form=zone_form,
                           action_form=PlainForm()), status


@bp.get("/schedule/cohorts/<int:cohort_id>")
@instructor_required
def manage(cohort_id: int):
    return _manage_page(cohort_id)


@bp.post("/schedule/cohorts/<int:cohort_id>")
@instructor_required
def add(cohort_id: int):
    cohort = cohorts.cohort_for_staff(current_user, cohort_id)
    form = _entry_form(services.cohort_zone(cohort))
    if form.validate_on_submit():
        try:
            entry = services.add_entry(current_user.id, cohort_id, _input(form), catalog(), now=utcnow())
        except InputRejected as exc:
            _put_problems(form, exc)
        else:
            flash(f"Day {entry.day} is scheduled; everyone in the cohort will get an invitation.", "success")
            return redirect(url_for("schedule.manage", cohort_id=cohort_id), 303)
    return _manage_page(cohort_id, form=form, status=422)


@bp.route("/schedule/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@instructor_required
def edit(entry_id: int):
    entry, cohort = services.staff_entry(current_user, entry_id)
    if entry.is_cancelled:
        flash("This day was cancelled; schedule it again as a new day.", "error")
        return redirect(url_for("schedule.manage", cohort_id=cohort.id), 303)
    form = _entry_form(services.cohort_zone(cohort), obj=entry)
    if form.validate_on_submit():
        try:
            saved = services.change_entry(current_user.id, entry_id, _input(form), catalog(), now=utcnow())
        except InputRejected as exc:
            _put_problems(form, exc)
        else:
            flash(f"Day {saved.day} is changed; everyone in the cohort will be told." if saved.sequence > entry.sequence
                  else "Nothing was changed.", "success")
            return redirect(url_for("schedule.manage", cohort_id=cohort.id), 303)
    view = services.view_of(entry, cohort, services.reader_zone_setting(current_user.id), catalog(), utcnow())
    return render_template("schedule/edit.html", cohort=cohort, entry=entry, view=view, form=form), \
        422 if form.errors else 200


@bp.post("/schedule/entries/<int:entry_id>/cancel")
@instructor_required
def cancel(entry_id: int):
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    entry = services.cancel_entry(current_user.id, entry_id, catalog(), now=utcnow())
    flash(f"Day {entry.day} on {entry.on_date:%d %b %Y} is cancelled; everyone in the cohort will be told.", "success")
    return redirect(url_for("schedule.manage", cohort_id=entry.cohort_id), 303)


@bp.post("/schedule/entries/<int:entry_id>/start")
@instructor_required
def start(entry_id: int):
    """One click: start today's scheduled day as a live session and open the presenter view."""
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    _entry, cohort = services.staff_entry(current_user, entry_id)
    with refusals(InputRejected, services.NotToday) as refused:
        session = services.start_scheduled(current_user.id, entry_id, catalog(), now=utcnow())
    if refused:
        return redirect(url_for("teach.cohort", cohort_id=cohort.id) + "#schedule", 303)
    return redirect(url_for("live.present", session_id=session.id), 303)


@bp.post("/schedule/cohorts/<int:cohort_id>/time-zone")
@instructor_required
def cohort_time_zone(cohort_id: int):
    zone_form = CohortZoneForm(prefix="cohort")   # the entry form on the same page has its own zone_name
    zone_form.zone_name.choices = zone_choices(blank="")
    if zone_form.validate_on_submit():
        with refusals(InputRejected, form=zone_form, field="zone_name") as refused:
            cohort = services.set_cohort_zone(current_user.id, cohort_id, zone_form.zone_name.data or None, now=utcnow())
        if not refused:
            flash(f"New days of {cohort.name} default to {services.cohort_zone(cohort)}.", "success")
            return redirect(url_for("schedule.manage", cohort_id=cohort_id), 303)
    return _manage_page(cohort_id, zone_form=zone_form, status=422)


# --- The person's time zone and calendar feed ---------------------------------------------------

def _account_page(zone_form: ReaderZoneForm | None = None, feed_url: str | None = None, status: int = 200):
    if zone_form is None:
        zone_form = ReaderZoneForm(formdata=None)
        zone_form.zone_name.data = services.reader_zone_setting(current_user.id) or ""
    zone_form.zone_name.choices = zone_choices(blank="Each cohort's own time zone")
    now = utcnow()
    return render_template("schedule/account.html", zone_form=zone_form, action_form=PlainForm(), feed_url=feed_url,
                           has_feed=services.has_feed(current_user.id),
                           upcoming=services.upcoming_for(current_user.id, catalog(), now=now)), status


@bp.get("/account/calendar")
@login_required
def account():
    return _account_page()


@bp.post("/account/calendar/time-zone")
@login_required
def account_time_zone():
    zone_form = ReaderZoneForm()
    zone_form.zone_name.choices = zone_choices(blank="")
    if zone_form.validate_on_submit():
        with refusals(InputRejected, form=zone_form, field="zone_name") as refused:
            services.set_reader_zone(current_user.id, zone_form.zone_name.data or None)
        if not refused:
            flash(f"Times are now shown in {zone_form.zone_name.data}." if zone_form.zone_name.data
                  else "Times are now shown in each cohort's own time zone.", "success")
            return redirect(url_for("schedule.account"), 303)
    return _account_page(zone_form=zone_form, status=422)


@bp.post("/account/calendar/feed")
@login_required
def account_feed():
    """A new feed address (the old one stops working), shown once on the page this answers with."""
    if not PlainForm().validate_on_submit():
        abort(400)
    token = services.new_feed_token(current_user.id, now=utcnow())
    return _account_page(feed_url=public_url(url_for("schedule.feed", token=token)))


@bp.post("/account/calendar/feed/stop")
@login_required
def account_feed_stop():
    if not PlainForm().validate_on_submit():
        abort(400)
    services.stop_feed(current_user.id)
    flash("Your calendar address no longer works.", "success")
    return redirect(url_for("schedule.account"), 303)


@bp.get("/calendar/<token>.ics")
@limiter.limit(FEED_LIMIT)
def feed(token: str):
    """The person's calendar feed. No session cookie is read or set: the token in the address is
    the only key, and a wrong, reset or stopped one is a plain 404."""
    owner = services.feed_owner(token)
    if owner is None:
        return Response("Not found\n", status=404, mimetype="text/plain",
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
    body = services.feed_document(owner, catalog(), now=utcnow(), host=mails.host(),
                                  home_url=public_url(url_for("learn.home")))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="lectern.ics"',
        "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"})
