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
    about: str = ""        # for the preferences page: what these messages are, in a few words


KINDS: tuple[MessageKind, ...] = (
    MessageKind("invitation", "Invitation", "invitation.jinja"),
    MessageKind("password-reset", "Password reset", "password_reset.jinja"),
    MessageKind("certificate-issued", "Certificate issued", "certificate_issued.jinja"),
    MessageKind("test", "Test message", "test.jinja"),
    MessageKind("registration", "Registration", "registration.jinja"),
    MessageKind("welcome", "Welcome to a cohort", "welcome.jinja", opt_out=True,
                about="when you are enrolled in a cohort: its dates and the link to the course"),
    MessageKind("invitation-reminder", "Invitation reminder", "invitation_reminder.jinja", opt_out=True,
                about="when an invitation to set your password has not been used for a few days"),
    MessageKind("inactive-reminder", "Continue where you left off", "inactive_reminder.jinja", opt_out=True,
                about="when you have not been back to the course for a while"),
    MessageKind("ending-soon", "Cohort ending soon", "ending_soon.jinja", opt_out=True,
                about="before your cohort ends, with what is still missing for your certificate"),
    MessageKind("weekly-summary", "Weekly summary for instructors", "weekly_summary.jinja", opt_out=True,
                about="each week, for the cohorts you teach: who stalled and who finished"),
    MessageKind("session-scheduled", "Course day scheduled", "session_scheduled.jinja", opt_out=True,
                about="when a day of your cohort is put in the calendar, with an invitation for your calendar"),
    MessageKind("session-changed", "Course day changed", "session_changed.jinja", opt_out=True,
                about="when the time or place of a scheduled course day changes"),
    MessageKind("session-cancelled", "Course day cancelled", "session_cancelled.jinja", opt_out=True,
                about="when a scheduled course day is cancelled"),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def kind(name: str) -> MessageKind:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown message kind {name!r}") from None


def optional_kinds() -> tuple[MessageKind, ...]:
    """The kinds a person may refuse."""
    return tuple(k for k in KINDS if k.opt_out)


# Who a kind can reach at all: an invitation reminder goes only to people who have not yet set a
# password (so never to someone signed in, who sees the preferences page), a weekly summary only to staff.
NOT_FOR_SIGNED_IN = frozenset({"invitation-reminder"})
STAFF_ONLY = frozenset({"weekly-summary"})


def offered_to(*, staff: bool) -> tuple[MessageKind, ...]:
    """The optional kinds the preferences page offers a signed-in person (one box each)."""
    return tuple(k for k in optional_kinds()
                 if k.name not in NOT_FOR_SIGNED_IN and (staff or k.name not in STAFF_ONLY))


def list_headers(message_kind: MessageKind, unsubscribe_url: str | None) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers, for kinds people may opt out of. Required
    kinds never carry them."""
    if not message_kind.opt_out or not unsubscribe_url:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
