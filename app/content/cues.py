"""The cue check: can a quiz be passed on test-wiseness alone? Pure.

Figures per quiz (and over all quizzes):
- single-answer items: the share whose key is the longest option (by characters; a key tied with
  k-1 other options for longest counts 1/k, the chance that picking the longest finds it), and
  mean key length / mean distractor length;
- true/false items: the share whose key is "false";
- the cue-only strategy's expected score: pick the longest option in single items (ties split
  evenly), answer "false" to true/false, tick every option in multiple-answer items, a random order
  for ordering, a random one-to-one matching for matching, nothing for numeric and short text.
  Every answer is marked by app/quizzes/scoring.py, so partial credit is the app's. A quiz with
  `draw` is taken over its whole pool: the mean of the questions' expectations, weighted by points.

Rules (docs/AUTHORING.md): a day assessment fails when the expectation is within 25 points of its
pass mark (expected >= pass_mark - 25); any quiz warns when its longest-option share is over 40%.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from app.content.problems import ContentProblem
from app.content.quizzes import Question, Quiz
from app.quizzes.types.choice import ChoiceBody

FAIL_MARGIN = 25.0            # points below the pass mark the cue-only expectation must stay
MAX_LONGEST_SHARE = 0.40      # share of single items whose key may be the longest option


@dataclass(frozen=True)
class ItemCue:
    question_id: str
    type: str
    points: float
    expected: float                       # the cue-only strategy's expected share of the credit, 0–1
    key_longest: float | None = None      # single: 1/k when the key is one of k longest options, else 0
    key_length: int | None = None         # single: characters in the key
    distractor_lengths: tuple[int, ...] = ()
    key_false: bool | None = None         # true/false: whether the key is "false"


@dataclass(frozen=True)
class QuizCues:
    quiz_id: str
    title: str
    kind: str
    pass_mark: float | None
    items: tuple[ItemCue, ...]

    @property
    def single_items(self) -> int:
        return sum(1 for i in self.items if i.key_longest is not None)

    @property
    def longest_share(self) -> float | None:
        """Share (0–1) of single items whose key is the longest option."""
        hits = [i.key_longest for i in self.items if i.key_longest is not None]
        return sum(hits) / len(hits) if hits else None

    @property
    def length_ratio(self) -> float | None:
        """Mean key length ÷ mean distractor length over the single items."""
        keys = [i.key_length for i in self.items if i.key_length is not None]
        others = [n for i in self.items for n in i.distractor_lengths]
        if not keys or not others or sum(others) == 0:
            return None
        return (sum(keys) / len(keys)) / (sum(others) / len(others))

    @property
    def true_false_items(self) -> int:
        return sum(1 for i in self.items if i.key_false is not None)

    @property
    def false_share(self) -> float | None:
        keys = [i.key_false for i in self.items if i.key_false is not None]
        return sum(keys) / len(keys) if keys else None

    @property
    def expected_percent(self) -> float:
        """The cue-only strategy's expected score, 0–100, over the whole pool, weighted by points."""
        total = sum(i.points for i in self.items)
        return 0.0 if total == 0 else 100 * sum(i.expected * i.points for i in self.items) / total

    @property
    def fails(self) -> bool:
        """A day assessment whose cue-only expectation is within FAIL_MARGIN points of its pass mark."""
        return (self.kind == "day-assessment" and self.pass_mark is not None
                and round(self.expected_percent, 6) >= self.pass_mark - FAIL_MARGIN)

    @property
    def warns(self) -> bool:
        share = self.longest_share
        return share is not None and round(share, 6) > MAX_LONGEST_SHARE


def item_cue(question: Question) -> ItemCue:
    """The question's cue figures; its type knows the expected credit of the cue-wise guess."""
    cue = partial(ItemCue, question_id=question.id, type=question.type, points=question.points,
                  expected=question.kind.guess(question.body))
    body = question.body
    if question.type == "single" and isinstance(body, ChoiceBody):
        lengths = {o.id: len(o.text) for o in body.options}
        longest = [o.id for o in body.options if lengths[o.id] == max(lengths.values())]
        key = body.correct[0] if body.correct else ""
        return cue(key_longest=(1 / len(longest)) if key in longest else 0.0, key_length=lengths.get(key, 0),
                   distractor_lengths=tuple(n for oid, n in lengths.items() if oid != key))
    if question.type == "true_false" and isinstance(body, ChoiceBody):
        return cue(key_false=body.correct == ("false",))
    return cue()


def quiz_cues(quiz: Quiz) -> QuizCues:
    return QuizCues(quiz.id, quiz.title, quiz.kind, quiz.pass_mark, tuple(item_cue(q) for q in quiz.questions))


def overall(cues: Iterable[QuizCues]) -> QuizCues:
    """The figures over every quiz's items together (no pass mark: it never fails)."""
    return QuizCues("all", "All quizzes", "all", None, tuple(i for c in cues for i in c.items))


def problems(quizzes: Sequence[Quiz]) -> list[ContentProblem]:
    """Failures (day assessments passable on cues) and warnings (longest-option share over 40%)."""
    found = []
    every = []
    for quiz in quizzes:
        cues = quiz_cues(quiz)
        every.append(cues)
        if cues.fails:
            found.append(ContentProblem(quiz.path, quiz.line_of("pass_mark"), (
                f"the cue-only strategy (longest option, 'false', tick everything, random order and matching) "
                f"expects {cues.expected_percent:.1f}% on this day assessment, within {FAIL_MARGIN:g} points of "
                f"its pass mark ({quiz.pass_mark:g}%); it must stay below {quiz.pass_mark - FAIL_MARGIN:g}%. "
                f"Rewrite the items so option length and true/false balance carry no signal")))
        if cues.warns:
            found.append(ContentProblem(quiz.path, quiz.line_of("questions"), (
                f"the key is the longest option in {_share(cues.longest_share)} of its {cues.single_items} "
                f"single-answer question(s); keep it at {MAX_LONGEST_SHARE:.0%} or less"), warning=True))
    total = overall(every)
    if len(every) > 1 and total.warns:
        found.append(ContentProblem(_folder(quizzes), 0, (
            f"over all quizzes the key is the longest option in {_share(total.longest_share)} of "
            f"{total.single_items} single-answer questions; keep it at {MAX_LONGEST_SHARE:.0%} or less"),
            warning=True))
    return found


def _folder(quizzes: Sequence[Quiz]) -> str:
    return quizzes[0].path.rsplit("/", 1)[0] + "/" if quizzes and "/" in quizzes[0].path else "quizzes/"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def table(quizzes: Sequence[Quiz]) -> list[list[str]]:
    """The figures as rows (header first) for `content cues` and `content check --verbose`."""
    rows = [["Quiz", "Kind", "Single", "Longest=key", "Key/distr.", "T/F", "False", "Cue-only", "Pass", "Verdict"]]
    every = [quiz_cues(q) for q in quizzes]
    for cues in [*every, overall(every)]:
        verdict = "FAIL" if cues.fails else ("warn" if cues.warns else "ok")
        rows.append([
            cues.quiz_id, {"knowledge-check": "check", "day-assessment": "day"}.get(cues.kind, ""),
            str(cues.single_items), _share(cues.longest_share),
            "—" if cues.length_ratio is None else f"{cues.length_ratio:.2f}",
            str(cues.true_false_items), _share(cues.false_share), f"{cues.expected_percent:.1f}%",
            "" if cues.pass_mark is None else f"{cues.pass_mark:g}%", verdict])
    return rows
