"""Administration of people. Rules live in the features' services; these views only call them."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import cohort_views, import_views, invitations, outbox_views
from app.auth import services as accounts
from app.auth.access import admin_required
from app.auth.forms import InviteForm, RolesForm
from app.db import utcnow
from app.extensions import db
from app.mail import mail_configured
from app.outbox import services as outbox
from app.web import public_url, refusals

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
# admin's other pages live in their own modules; each adds its routes to this blueprint, here and only here
for _pages in (cohort_views, import_views, invitations, outbox_views):
    _pages.register(bp)


@bp.before_request
@admin_required
def _only_admins():
    return None


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    query = request.args.get("q", "")[:100]
    return render_template("admin/users.html", users=accounts.search_users(query), query=query)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = InviteForm()
    if form.validate_on_submit():
        with refusals(form=form, field="display_name") as refused:   # EmailTaken, InvalidEmail name "email"
            user = accounts.create_user(form.email.data or "", form.display_name.data or "", form.roles.data or [],
                                        password=None, now=utcnow(), actor_id=current_user.id)
        if not refused:
            return _show_link(user.id, "invite")
    return render_template("admin/user_new.html", form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    person = accounts.get_user(user_id)
    form = RolesForm(data={"roles": sorted(r.value for r in person.roles)} if request.method == "GET" else None)
    if form.validate_on_submit():
        with refusals(form=form, field="roles") as refused:
            accounts.set_roles(current_user.id, user_id, form.roles.data or [], now=utcnow())
        if not refused:
            flash(f"Roles of {person.display_name} saved.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin/user.html", person=person, form=form), 422 if form.errors else 200


@bp.post("/users/<int:user_id>/name")
def user_name(user_id: int):
    with refusals() as refused:
        person = accounts.rename(current_user.id, user_id, request.form.get("display_name", ""), now=utcnow())
    if not refused:
        flash(f"Name changed to {person.display_name}. Reissue any certificate to print the new name.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/link")
def user_link(user_id: int):
    purpose = "invite" if request.form.get("purpose") == "invite" else "reset"
    return _show_link(user_id, purpose)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    active = request.form.get("active") == "1"
    with refusals() as refused:
        person = accounts.set_active(current_user.id, user_id, active, now=utcnow())
    if not refused:
        flash(f"{person.display_name} has been {'reactivated' if active else 'deactivated and signed out'}.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


def _show_link(user_id: int, purpose: str):
    """Issue the link; with a mail server, its mail is queued in the same unit of work (app/outbox)."""
    cfg = current_app.config
    max_age = cfg["TOKEN_MAX_AGE_INVITE" if purpose == "invite" else "TOKEN_MAX_AGE_RESET"]
    queued: list[int] = []

    def mail_it(link: accounts.IssuedLink) -> None:
        message = outbox.queue_link(link, _link_url(link), now=utcnow())
        if message is not None:
            db.session.flush()
            queued.append(message.id)
            outbox.request_delivery()

    issued = accounts.issue_link(user_id, purpose, secret_key=cfg["SECRET_KEY"], max_age=max_age,
                                 created_by_id=current_user.id, now=utcnow(),
                                 on_issued=mail_it if mail_configured(cfg) else None)
    # that a link was issued, never the link: its token would let anyone reading the log set the password
    current_app.logger.info("%s link %d for user %d issued by user %d, valid until %s", purpose, issued.link_id,
                            issued.user.id, current_user.id, f"{issued.expires_at:%Y-%m-%d %H:%M} UTC")
    mail_status = outbox.status_of(queued[0]) if queued else ""
    return render_template("admin/link.html", issued=issued, url=_link_url(issued), mail_status=mail_status,
                           message_id=queued[0] if queued else None)


def _link_url(issued: accounts.IssuedLink) -> str:
    return public_url(url_for("auth." + issued.purpose, token=issued.token))
