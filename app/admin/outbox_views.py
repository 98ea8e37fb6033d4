"""The outbox for administrators: every message with its status, a filter, each message's text and
HTML (the HTML in a sandboxed frame that runs nothing and loads nothing), and resend."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.db import utcnow
from app.mail import mail_configured
from app.outbox import kinds, rules
from app.outbox import services as outbox
from app.outbox.models import STATUSES
from app.web import refusals

# The preview frame: the message's own inline styles, nothing else (no scripts, images, forms or
# requests), framed only by our own pages.
PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


def outbox_list():
    status, kind = request.args.get("status", ""), request.args.get("kind", "")
    page = outbox.list_messages(status=status, kind=kind, page=request.args.get("page", 1, type=int) or 1)
    return render_template("admin/outbox.html", page=page, status=status, kind=kind, statuses=STATUSES,
                           kinds=kinds.KINDS, mail_on=mail_configured(current_app.config))


def outbox_message(message_id: int):
    message = outbox.get_message(message_id)
    return render_template("admin/outbox_message.html", message=message, mail_on=mail_configured(current_app.config),
                           link_removed=rules.had_one_time_link(message.body_text))


def outbox_preview(message_id: int):
    response = Response(outbox.get_message(message_id).body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def outbox_resend(message_id: int):
    with refusals() as refused:
        message = outbox.resend(current_user.id, message_id, now=utcnow())
    if not refused:
        flash(f"The message to {message.recipient} is queued again.", "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))


def register(bp: Blueprint) -> None:
    """Adds the outbox pages to admin's blueprint (admin's views module calls this)."""
    bp.add_url_rule("/outbox", endpoint="outbox", view_func=outbox_list, methods=["GET"])
    bp.add_url_rule("/outbox/<int:message_id>", view_func=outbox_message, methods=["GET"])
    bp.add_url_rule("/outbox/<int:message_id>/preview", view_func=outbox_preview, methods=["GET"])
    bp.add_url_rule("/outbox/<int:message_id>/resend", view_func=outbox_resend, methods=["POST"])
