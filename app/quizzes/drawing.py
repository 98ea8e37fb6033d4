"""Which questions of a pool one attempt asks, when the quiz has `draw: N`. Pure.

The draw is stratified by stage: questions are grouped by the lesson of their main objective (the
first `assesses` entry; a stage lesson is its stage, any other lesson counts as itself). One
question is taken from every group the pool covers, then the rest of the N at random from what is
left. Untagged questions belong to no group and can only come in the random part.
"""
from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import TypeVar

from app.content.quizzes import Question

Q = TypeVar("Q", bound=Question)
RETRIES = 20


def strata(questions: Sequence[Q]) -> dict[str, list[Q]]:
    """Main lesson → its questions, in pool order (untagged questions left out)."""
    groups: dict[str, list[Q]] = {}
    for question in questions:
        if question.main_lesson is not None:
            groups.setdefault(question.main_lesson, []).append(question)
    return groups


def draw_questions(questions: Sequence[Q], n: int, rng: random.Random,
                   avoid: Collection[frozenset[str]] = ()) -> list[Q]:
    """N questions in pool order: one per stage first, then at random.

    `avoid` holds the question-id sets of earlier attempts: a draw equal to one of them is drawn
    again (a few times at most; a pool that allows no other set gives the same set)."""
    n = max(0, min(n, len(questions)))
    picked: list[Q] = []
    for _try in range(RETRIES):
        picked = _draw_once(questions, n, rng)
        if frozenset(q.id for q in picked) not in avoid:
            break
    order = {id(q): index for index, q in enumerate(questions)}
    return sorted(picked, key=lambda q: order[id(q)])


def _draw_once(questions: Sequence[Q], n: int, rng: random.Random) -> list[Q]:
    firsts = [rng.choice(group) for group in strata(questions).values()]
    if len(firsts) > n:
        return rng.sample(firsts, n)
    chosen = {id(q) for q in firsts}
    rest = [q for q in questions if id(q) not in chosen]
    return firsts + rng.sample(rest, n - len(firsts))


def expected_counts(questions: Sequence[Question], n: int) -> dict[str, float]:
    """Main lesson → how many of its questions a draw of N holds on average."""
    groups = strata(questions)
    pool, covered = len(questions), len(groups)
    n = max(0, min(n, pool))
    if covered == 0:
        return {}
    if n < covered:
        return {lesson: n / covered for lesson in groups}
    rest = pool - covered
    return {lesson: 1 + ((n - covered) * (len(group) - 1) / rest if rest else 0.0)
            for lesson, group in groups.items()}
