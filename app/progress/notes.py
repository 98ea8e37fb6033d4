"""A trainee's reflection notes as one Markdown document. Pure."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def notes_markdown(course_title: str, person: str, generated: datetime,
                   entries: Iterable[tuple[str, str, str, datetime]]) -> str:
    """entries: (lesson title, prompt text, note body, updated) in course order."""
    lines = [f"# Reflection notes: {course_title}", "", f"{person} · exported {generated:%d %B %Y %H:%M} UTC", ""]
    current = None
    for lesson, prompt, body, updated in entries:
        if lesson != current:
            lines += [f"## {lesson}", ""]
            current = lesson
        lines += ["> " + line if line else ">" for line in prompt.strip().splitlines()]
        lines += ["", body.strip(), "", f"*Last edited {updated:%d %B %Y}*", ""]
    if current is None:
        lines.append("No notes yet. Reflection prompts in the lessons have a box for your own notes.")
    return "\n".join(lines).rstrip() + "\n"
