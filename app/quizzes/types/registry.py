"""The question types Lectern knows, by name. Adding a type: write its module (see base.py) and
its templates (quizzes/types/<name>/), then list it here."""
from __future__ import annotations

from app.quizzes.types import (
    matching,
    multiple,
    numeric,
    open_text,
    ordering,
    rating,
    short_text,
    single,
    true_false,
    word_cloud,
)
from app.quizzes.types.base import QuestionType

TYPES: dict[str, QuestionType] = {t.name: t for t in (
    single.TYPE, multiple.TYPE, true_false.TYPE, ordering.TYPE, matching.TYPE, numeric.TYPE, short_text.TYPE,
    rating.TYPE, word_cloud.TYPE, open_text.TYPE,
)}
NAMES = tuple(TYPES)


def get(name: str) -> QuestionType:
    """The type called `name` (KeyError for a name no module registers)."""
    return TYPES[name]


def gift_importers() -> list[QuestionType]:
    """Types that GIFT can produce, in the order their forms are recognised."""
    return sorted((t for t in TYPES.values() if t.gift_priority), key=lambda t: t.gift_priority)
