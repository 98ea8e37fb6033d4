"""Outgoing mail. Optional: with no MAIL_SERVER configured nothing is sent and callers show links."""
from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def send_mail(config: Mapping[str, Any], to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
