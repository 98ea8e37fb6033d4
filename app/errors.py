"""Domain errors: what a service raises when a rule is broken (pure: no Flask; the pages and JSON
answers they become are app/error_pages.py)."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the user. `field`, when set,
    names the form field the message is about (pages put it there: app/web.py `refusals`)."""

    status_code = 400
    field: str | None = None


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class InvalidToken(DomainError):
    """A reset or invitation link is unknown, expired or already used."""


class PasswordRejected(DomainError):
    """A password given does not meet the rules; `field` is the form field it was typed in."""

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


class CurrentPasswordWrong(PasswordRejected):
    """The current password given to change it is not the account's."""

    def __init__(self, message: str, field: str = "current"):
        super().__init__(message, field)


class InputRejected(DomainError):
    """What the person typed cannot be saved as it is (too long, wrong shape); say why, and which field."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidEmail(DomainError):
    """The text given is not a usable email address."""

    status_code = 422
    field = "email"


class EmailTaken(DomainError):
    status_code = 409
    field = "email"


class AttemptLimitReached(DomainError):
    status_code = 409


class AttemptClosed(DomainError):
    """The attempt is already finished; nothing more can be answered in it."""

    status_code = 409


class UnansweredQuestions(DomainError):
    """A submission would leave questions unanswered and was not confirmed: nothing was graded.
    `gaps` lists them (app/quizzes/completeness.py)."""

    status_code = 409

    def __init__(self, gaps: tuple[object, ...] = ()):
        n = len(gaps)
        super().__init__(f"{n} question{'s are' if n != 1 else ' is'} unanswered. Submit anyway, or go back and answer "
                         f"{'them' if n != 1 else 'it'}.")
        self.gaps = gaps


class NotEligible(DomainError):
    """The trainee does not meet the completion rule (and no override reason was given)."""

    status_code = 409

    def __init__(self, unmet: tuple[str, ...]):
        super().__init__("Not eligible yet: " + "; ".join(unmet))
        self.unmet = unmet


class AlreadyIssued(DomainError):
    status_code = 409


class CertificateNotMade(DomainError):
    """The certificate's PDF could not be made within its limits; nothing was issued."""

    status_code = 422

    def __init__(self, holder_name: str, reason: str):
        super().__init__(f"The certificate for {holder_name} could not be made, so it was not issued: {reason}")
        self.holder_name, self.reason = holder_name, reason
