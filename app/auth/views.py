from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import resume, services, throttle
from app.auth.forms import ChangePasswordForm, RegisterForm, SetPasswordForm, SignInForm
from app.auth.passwords import HashingBusy
from app.auth.redirects import safe_next
from app.cohorts import services as cohorts
from app.db import utcnow
from app.error_pages import error_response
from app.errors import CurrentPasswordWrong, InvalidToken, PasswordRejected
from app.extensions import limiter
from app.mail import mail_configured
from app.outbox import services as outbox
from app.web import public_url, refusals

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.app_errorhandler(HashingBusy)
def _hashing_busy(exc: HashingBusy):
    # pages with a password form catch this themselves and keep what was typed; this is the rest
    body, status = error_response(503, str(exc))
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"), url_for("learn.home"))
    if current_user.is_authenticated:
        return redirect(target)
    form = SignInForm()
    if request.method == "GET" and session.get(REGISTERED_EMAIL):
        form.email.data = session.pop(REGISTERED_EMAIL)
    if form.validate_on_submit():
        email = form.email.data or ""
        counters = throttle.sign_in_counters(email, throttle.client_address(),
                                             known_device=throttle.is_known_device(email))
        wait = throttle.retry_after(counters)
        if wait:
            return _too_many_sign_ins(form, wait)
        try:
            result = services.authenticate(email, form.password.data or "", now=utcnow())
        except HashingBusy as exc:
            form.password.errors = [str(exc)]
            return _with_retry_after(_sign_in_page(form, 503), exc.retry_after)
        if result.user is not None:
            login_user(result.user, remember=bool(form.remember.data))
            response = resume.resumed_after_sign_in(request.form) or redirect(target)
            return throttle.remember_device(response, result.user.email)
        throttle.record_failure(counters)
        form.password.errors = [result.message]
    return _sign_in_page(form, 422 if form.errors else 200)


def _sign_in_page(form: SignInForm, status: int):
    """The sign-in page again, or the expired form's page when the post carried one (app/auth/resume.py)."""
    return (resume.sign_in_again(form, request.form, status)
            or make_response(render_template("auth/login.html", form=form), status))


def _too_many_sign_ins(form: SignInForm, wait: int):
    form.password.errors = [f"Too many attempts to sign in from here. Wait {_wait_words(wait)} "
                            "and try again, or ask your course administrator for a link to set a new password."]
    return _with_retry_after(_sign_in_page(form, 429), wait)


def _with_retry_after(body, seconds: int, status: int | None = None):
    """A 429 or 503 answer: the page (with what was typed) and when to try again."""
    response = make_response(body) if status is None else make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


def _wait_words(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user.id)
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


def _set_password_page(purpose: str, token: str, template: str, done_message: str):
    secret_key = current_app.config["SECRET_KEY"]
    max_age = current_app.config["TOKEN_MAX_AGE_RESET" if purpose == "reset" else "TOKEN_MAX_AGE_INVITE"]
    try:
        person = services.peek_link(purpose, token, secret_key=secret_key, max_age=max_age, now=utcnow())
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            with refusals(PasswordRejected, form=form, field="password") as refused:
                user = services.redeem_link(purpose, token, form.password.data or "", secret_key=secret_key,
                                            max_age=max_age, now=utcnow())
        except InvalidToken as exc:
            return render_template("auth/link_invalid.html", message=str(exc)), 410
        except HashingBusy as exc:
            form.password.errors = [str(exc)]
            return _with_retry_after(render_template(template, form=form, person=person), exc.retry_after, 503)
        if not refused:
            logout_user()
            login_user(user)
            flash(done_message, "success")
            return redirect(url_for("learn.home"))
    return render_template(template, form=form, person=person), 422 if form.errors else 200


# links are unguessable; a room of invited people may set passwords at once: count failures only
LINK_LIMIT = "30 per minute;200 per hour"


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(LINK_LIMIT, methods=["POST"], deduct_when=lambda r: not throttle.succeeded(r))
def reset(token: str):
    return _set_password_page("reset", token, "auth/reset.html", "Your password has been changed.")


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(LINK_LIMIT, methods=["POST"], deduct_when=lambda r: not throttle.succeeded(r))
def invite(token: str):
    return _set_password_page("invite", token, "auth/invite.html", "Welcome to Lectern: your account is ready.")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        counters = throttle.password_change_counters(current_user.id, throttle.client_address())
        wait = throttle.retry_after(counters)
        if wait:
            form.current.errors = [f"Too many wrong current passwords. Wait {_wait_words(wait)} and try again; if you "
                                   "have forgotten it, sign out and ask your course administrator for a reset link."]
            return _with_retry_after(render_template("auth/change_password.html", form=form), wait, 429)
        try:
            # the error names its field: "current" for a wrong current password, "password" for a weak new one
            with refusals(PasswordRejected, form=form, field="password") as refused:
                user = services.change_password(current_user.id, form.current.data or "", form.password.data or "",
                                               now=utcnow())
        except HashingBusy as exc:
            form.current.errors = [str(exc)]
            return _with_retry_after(render_template("auth/change_password.html", form=form), exc.retry_after, 503)
        if isinstance(refused.error, CurrentPasswordWrong):
            throttle.record_failure(counters)
        elif not refused:
            login_user(user)  # the old session ended with the password change; keep this one
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("learn.home"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


REGISTERED_EMAIL = "lectern.registered_email"  # prefills the sign-in form after registering


def _registered(registration: services.Registration, cohort_name: str):
    """The same answer whether the address was new or already had an account (issue 15, finding 6):
    a redirect to sign in, the same message, a mail either way when SMTP is configured."""
    session[REGISTERED_EMAIL] = registration.email
    flash(f"Thank you. If {registration.email} is new here, your account is ready and enrolled in {cohort_name}: "
          "sign in with the password you chose. If you already had an account with this address, sign in with its "
          "password (or ask your course administrator for a reset link), then enter the code under Join a cohort."
          + (" We have sent a message to that address." if mail_configured(current_app.config) else ""), "success")
    return redirect(url_for("auth.login"))


def _mail_registration(cohort_name: str):
    """The registration's mail, queued in its unit of work (app/outbox), when SMTP is configured."""
    if not mail_configured(current_app.config):
        return None
    sign_in_url = public_url(url_for("auth.login"))

    def queue(registration: services.Registration) -> None:
        user = registration.user
        outbox.queue_registration(email=registration.email, user_id=user.id if user else None,
                                  name=user.display_name if user else "", cohort=cohort_name,
                                  sign_in_url=sign_in_url, now=utcnow())
        outbox.request_delivery()
    return queue


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(throttle.setting("REGISTER_CODE_LIMIT"), methods=["POST"], deduct_when=throttle.noted_failure)
@limiter.limit(throttle.setting("REGISTER_ACCOUNT_LIMIT"), methods=["POST"], deduct_when=throttle.succeeded)
def register():
    """Self-registration with a cohort's enrolment code, when administrators have switched it on."""
    if not cohorts.self_registration_open():
        return render_template("auth/register_closed.html"), 404
    form = RegisterForm()
    if form.validate_on_submit():
        code = form.code.data or ""
        cohort = cohorts.cohort_by_code(code)
        if cohort is None:
            throttle.note_failure()
            form.code.errors = ["That enrolment code is not valid. Check it with your course administrator."]
        else:
            try:
                # PasswordRejected names "password", InvalidEmail "email"; anything else is about the name
                with refusals(form=form, field="display_name") as refused:
                    registration = services.register(form.email.data or "", form.display_name.data or "",
                                                     form.password.data or "", now=utcnow(),
                                                     on_registered=_mail_registration(cohort.name))
            except HashingBusy as exc:
                form.password.errors = [str(exc)]
                return _with_retry_after(render_template("auth/register.html", form=form), exc.retry_after, 503)
            if not refused:
                if registration.user is not None:
                    cohorts.join_with_code(registration.user.id, code, now=utcnow())
                return _registered(registration, cohort.name)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200
