"""Question analytics for a quiz across a group of attempts. Pure."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.content.cues import ItemCue, QuizCues, quiz_cues
from app.content.quizzes import Quiz
from app.quizzes.scoring import mark
from app.quizzes.snapshot import Asked


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    prompt: str
    type: str
    answered: int                 # attempts that were asked this question
    fully_right: int
    facility: float | None        # mean share of the credit earned, 0–100 (the facility index); None: no key
    common_wrong: str | None      # the wrong option chosen most often (choice questions)
    common_wrong_count: int
    label: str = ""               # the type as people call it
    summary: str = ""             # what the type's tally sums up (a scale's mean), if anything

    @property
    def share_right(self) -> float | None:
        return None if not self.answered or self.facility is None else round(100 * self.fully_right / self.answered, 1)

    @property
    def sort_key(self) -> float:
        """Hardest first; questions without a right answer last."""
        return 101.0 if self.facility is None else self.facility


def question_stats(attempts: Iterable[tuple[list[dict[str, Any]], Mapping[str, Any]]],
                   order: list[str] | None = None) -> list[QuestionStats]:
    """attempts: (questions snapshot, answers) of finished attempts."""
    asked: dict[str, Asked] = {}
    marks: dict[str, list[tuple[Any, float]]] = {}
    wrong_choices: dict[str, Counter[str]] = {}
    for snapshot, answers in attempts:
        for data in snapshot:
            item = Asked.from_dict(data)
            question = item.question
            asked.setdefault(question.id, item)
            answer = answers.get(question.id)
            marks.setdefault(question.id, []).append((answer, mark(question, answer).fraction))
            for label in question.kind.wrong_labels(question.body, answer):
                wrong_choices.setdefault(question.id, Counter())[label] += 1
    ids = [q for q in (order or []) if q in asked] + sorted(set(asked) - set(order or []))
    out = []
    for qid in ids:
        item, given = asked[qid], marks[qid]
        question = item.question
        scores = [f for _answer, f in given]
        common = wrong_choices.get(qid, Counter()).most_common(1)
        summary = question.kind.tally(question.body, item.display, [(a, f) for a, f in given if a is not None],
                                      scored=True, with_key=True).summary
        out.append(QuestionStats(
            qid, question.prompt, question.type, len(scores), sum(1 for f in scores if f >= 1.0),
            round(100 * sum(scores) / len(scores), 1) if scores and question.has_key else None,
            common[0][0] if common else None, common[0][1] if common else 0, question.kind.label, summary))
    return out


def cue_figures(quiz: Quiz) -> tuple[QuizCues, dict[str, ItemCue]]:
    """The quiz's cue figures as the content now stands (app/content/cues.py), and each question's."""
    cues = quiz_cues(quiz)
    return cues, {item.question_id: item for item in cues.items}


def cue_cells(cues: QuizCues, item: ItemCue | None) -> list[object]:
    """CSV cells: whether the key is the longest option and the cue-only expectation for the
    question, then the quiz's longest-option share, key/distractor ratio and cue-only expectation."""
    longest = "" if item is None or item.key_longest is None else (
        "yes" if item.key_longest == 1 else "tied" if item.key_longest > 0 else "no")
    share, ratio = cues.longest_share, cues.length_ratio
    return [longest, "" if item is None else round(100 * item.expected, 1),
            "" if share is None else round(100 * share, 1), "" if ratio is None else round(ratio, 2),
            round(cues.expected_percent, 1)]
