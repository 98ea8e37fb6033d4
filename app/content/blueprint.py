"""The blueprint check for day assessments. Pure.

Applies to a day assessment that declares `blueprint:` (docs/AUTHORING.md):
- every question is tagged with `assesses` and `level`;
- every stage lesson of the quiz's day has at least one question whose MAIN objective (the first
  `assesses` entry) is in it;
- no stage (a question's main lesson; lessons without a stage count as themselves) holds more than
  `max_share` of the pool, nor, with `draw`, of a draw on average;
- no question assesses a lesson listed in `not_assessed`;
- at least `min_apply_share` of the pool is at level apply or above.
And for any quiz with `draw`: the draw is large enough to take one question from every stage.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from app.content.problems import ContentProblem
from app.content.quizzes import Quiz
from app.quizzes.drawing import expected_counts, strata


class LessonLike(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def day_number(self) -> int: ...
    @property
    def stage(self) -> int | None: ...


def label(lesson: LessonLike | None, slug: str) -> str:
    return f"Stage {lesson.stage} ({slug})" if lesson is not None and lesson.stage else repr(slug)


def check(quiz: Quiz, lessons: Sequence[LessonLike]) -> list[ContentProblem]:
    found: list[ContentProblem] = []

    def problem(line: int, message: str) -> None:
        found.append(ContentProblem(quiz.path, line, message))

    by_slug = {lesson.slug: lesson for lesson in lessons}
    pool = len(quiz.questions)
    groups = strata(quiz.questions)
    if quiz.draw and quiz.draw < len(groups):
        problem(quiz.line_of("draw"), f"'draw' is {quiz.draw}, fewer than the {len(groups)} stages the pool covers: "
                                      "an attempt could not take one question from every stage")
    blueprint = quiz.blueprint
    if quiz.kind != "day-assessment" or blueprint is None or pool == 0:
        return found

    for question in quiz.questions:
        missing = [key for key, value in (("assesses", question.assesses), ("level", question.level)) if not value]
        if missing:
            problem(question.line, f"question {question.id!r} has no {' or '.join(repr(k) for k in missing)}: "
                                   "every question of a day assessment with a blueprint is tagged")
        for slug, number in question.objectives:
            if slug in blueprint.not_assessed:
                problem(question.assesses_line, f"question {question.id!r} assesses {slug}#{number}, but the "
                                                f"blueprint lists {slug!r} as not assessed")

    for lesson in lessons:
        if lesson.day_number == quiz.day and lesson.stage and lesson.slug not in groups:
            problem(blueprint.line, f"{label(lesson, lesson.slug)} has no question mainly about it: give at least "
                                    "one question an 'assesses' list that starts with one of its objectives")

    if blueprint.max_share is not None:
        counts = Counter({slug: len(group) for slug, group in groups.items()})
        for slug, count in counts.most_common():
            if round(count / pool, 9) > blueprint.max_share:
                problem(blueprint.line, f"{label(by_slug.get(slug), slug)} has {count} of the {pool} questions "
                                        f"({count / pool:.0%}), over max_share {blueprint.max_share:.0%}")
        if quiz.draw:
            for slug, mean in expected_counts(quiz.questions, quiz.draw).items():
                share = mean / quiz.draw
                if round(share, 9) > blueprint.max_share and round(counts[slug] / pool, 9) <= blueprint.max_share:
                    problem(blueprint.line, f"{label(by_slug.get(slug), slug)} takes {share:.0%} of a draw of "
                                            f"{quiz.draw} on average, over max_share {blueprint.max_share:.0%}")

    if blueprint.min_apply_share is not None:
        applied = sum(1 for q in quiz.questions if q.is_apply_or_above)
        if round(applied / pool, 9) < blueprint.min_apply_share:
            problem(blueprint.line, f"{applied} of the {pool} questions ({applied / pool:.0%}) are at level apply or "
                                    f"above; the blueprint asks for at least {blueprint.min_apply_share:.0%}")
    return found
