"""Every line of the commissioned outline (docs/course-outline.txt, a copy of the seed) is taught:
it appears as a lesson title, an agenda item or a section heading."""
import re
import unicodedata

import pytest

from app.config import PROJECT_ROOT
from app.content.catalog import load_catalog

OUTLINE = PROJECT_ROOT / "docs" / "course-outline.txt"
NOT_TEACHING = {"cluster training courses", "sample curriculum", "day 1", "day 2",
                "click here to read our students testimonials"}
def norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("&", " and ").replace("vs.", "vs")
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return " ".join(w for w in words if w not in {"the", "a", "an"})  # "Launching (the) Cluster"


# The outline's own typo ("Ranging the strategic priorities Stage") and its two-part bullets.
SPLIT = {
    norm("Ranging the strategic priorities Stage"): [norm("Ranging the strategic priorities")],
    norm("Collaborative Partnership Continuum: linking Soft and Hard Networks; Supply Chains; Clusters "
         "Application of the Collaborative Value Chain, examples"): [
        norm("Collaborative Partnership Continuum: linking Soft and Hard Networks; Supply Chains; Clusters"),
        norm("Application of the Collaborative Value Chain, examples")],
}


def outline_lines() -> list[str]:
    lines = []
    for raw in OUTLINE.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("•").strip().strip("-").strip()
        if line and norm(line) not in NOT_TEACHING:
            lines.append(line)
    return lines


@pytest.fixture(scope="module")
def taught() -> set[str]:
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    names = {lesson.title for lesson in catalog.lessons}
    names |= {heading.text for lesson in catalog.lessons for heading in lesson.headings}
    names |= {item.title for day in catalog.course.days for item in day.agenda}
    return {norm(n) for n in names}


@pytest.mark.parametrize("line", outline_lines())
def test_outline_line_is_taught(line, taught):
    wanted = SPLIT.get(norm(line), [norm(line)])
    for piece in wanted:
        assert any(piece == t or piece in t for t in taught), f"no lesson title or heading covers {line!r}"


def test_outline_copy_has_all_twelve_stages():
    text = OUTLINE.read_text(encoding="utf-8")
    assert all(f"Stage {n}." in text for n in range(1, 13))


def test_every_stage_lesson_has_the_teaching_parts():
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    stages = [lesson for lesson in catalog.lessons if lesson.stage]
    assert len(stages) == 12
    for lesson in stages:
        kinds = {segment.kind for segment in lesson.segments}
        assert {"activity", "reflection", "takeaways", "facilitator"} <= kinds, lesson.slug
        headings = [h.text for h in lesson.headings]
        assert any(h.startswith("Worked example") for h in headings), lesson.slug
        assert "Further reading" in headings, lesson.slug
        assert len(lesson.objectives) >= 3, lesson.slug
        facilitator = " ".join(str(s.html) for s in lesson.segments if s.kind == "facilitator")
        assert "Timing" in facilitator and "question" in facilitator.lower(), lesson.slug
