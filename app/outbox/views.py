"""A person's email preferences (which optional messages they receive) and the one-click
unsubscribe link that every optional message carries (RFC 8058)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.db import utcnow
from app.extensions import csrf, limiter
from app.outbox import kinds
from app.outbox import services as outbox
from app.outbox.forms import PreferencesForm

bp = Blueprint("outbox", __name__, template_folder="templates")


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def preferences():
    if current_user.guest_session_id is not None:
        abort(404)   # a live session's guest has no mail
    offered = kinds.offered_to(staff=current_user.is_admin or current_user.is_instructor)
    form = PreferencesForm(offered=offered)
    if form.validate_on_submit():
        outbox.save_preferences(current_user.id, set(form.receive.data or ()), now=utcnow(),
                                offered={k.name for k in offered})
        flash("Your email preferences are saved.", "success")
        return redirect(url_for("outbox.preferences"))
    if request.method == "GET":
        refused = outbox.opt_outs(current_user.id)
        form.receive.data = [k.name for k in offered if k.name not in refused]
    required = [k for k in kinds.KINDS if not k.opt_out and k.name != "test"]
    return render_template("outbox/preferences.html", form=form, required=required), 422 if form.errors else 200


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt   # RFC 8058: mail programs POST here with no session and no form token; the signed token decides
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token: str):
    """GET: a page with a button (link scanners open links: a GET changes nothing). POST: the
    one-click unsubscribe, from that button or from the mail program (List-Unsubscribe-Post)."""
    if request.method == "POST":
        target = outbox.unsubscribe(token, now=utcnow())
        return render_template("outbox/unsubscribed.html", kind=kinds.kind(target.kind))
    target = outbox.unsubscribe_target(token)
    return render_template("outbox/unsubscribe.html", kind=kinds.kind(target.kind), token=token)
