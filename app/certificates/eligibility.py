"""Who may receive a certificate: the course's completion rule, applied to plain facts. Pure."""
from __future__ import annotations

from dataclasses import dataclass

from app.progress.progress import CourseOutline, LearnerFacts, report


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    unmet: tuple[str, ...]


def eligibility(outline: CourseOutline, facts: LearnerFacts) -> Eligibility:
    missing = report(outline, facts).missing
    return Eligibility(not missing, missing)
