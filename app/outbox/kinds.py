"""The kinds of message Lectern sends, in one list. A kind names its template (one template gives
both the HTML and the plain-text part) and whether people may opt out of it. Pure."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    name: str
    label: str
    template: str          # under app/outbox/templates/outbox/mail/
    opt_out: bool = False  # required messages (invitations, resets, certificates) cannot be refused


KINDS: tuple[MessageKind, ...] = (
    MessageKind("invitation", "Invitation", "invitation.jinja"),
    MessageKind("password-reset", "Password reset", "password_reset.jinja"),
    MessageKind("certificate-issued", "Certificate issued", "certificate_issued.jinja"),
    MessageKind("test", "Test message", "test.jinja"),
    MessageKind("session-scheduled", "Course day scheduled", "session_scheduled.jinja", opt_out=True),
    MessageKind("session-changed", "Course day changed", "session_changed.jinja", opt_out=True),
    MessageKind("session-cancelled", "Course day cancelled", "session_cancelled.jinja", opt_out=True),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def kind(name: str) -> MessageKind:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown message kind {name!r}") from None


def list_headers(message_kind: MessageKind, unsubscribe_url: str | None) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers, for kinds people may opt out of (none yet: the
    hook for reminders and summaries). Required kinds never carry them."""
    if not message_kind.opt_out or not unsubscribe_url:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
