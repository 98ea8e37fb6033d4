from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One thing wrong with a content file, reported as `file:line: message`."""

    path: str
    line: int
    message: str
    warning: bool = False        # reported by `content check`, but does not fail it

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class ContentInvalid(Exception):
    """The content on disk cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
