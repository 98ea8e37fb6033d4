"""Outgoing mail over SMTP. Optional: with no MAIL_SERVER configured nothing is sent and callers
show links. Messages are queued in the outbox (app/outbox) and delivered by a job; this module is
only the transport."""
from __future__ import annotations

import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Any


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def build_message(config: Mapping[str, Any], to: str, subject: str, text: str, html: str | None = None,
                  headers: Mapping[str, str] | None = None,
                  attachments: Sequence[Mapping[str, str]] = ()) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the richer part; with
    attachments ({"filename", "content_type", "text"}: an .ics invitation), multipart/mixed around it."""
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        content_type, _sep, rest = attachment["content_type"].partition(";")
        maintype, _slash, subtype = content_type.strip().partition("/")
        if maintype != "text":
            raise ValueError(f"only text attachments are supported, not {content_type!r}")
        params = dict(p.strip().split("=", 1) for p in rest.split(";") if "=" in p)
        message.add_attachment(attachment["text"], subtype=subtype, filename=attachment["filename"], params=params)
    return message


def deliver(config: Mapping[str, Any], message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises OSError (smtplib.SMTPException included) on failure."""
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT") or 10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)

