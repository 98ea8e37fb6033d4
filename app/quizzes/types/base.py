"""What every question type is made of, and the shapes they share. Pure: no Flask, no database.

A question type (one module under app/quizzes/types/) owns everything that depends on the kind
of question, so adding one touches its module, its templates and the registry, nothing else:

- `parse`:        its part of a quiz file (YAML) into a frozen *body*, problems reported by line;
- `from_dict`:    the body back from what an attempt stored (`body.to_dict()` stored it);
- `display`:      the orders this person is shown (shuffled options, choices…);
- `public`:       what the browser may see while answering: never the key;
- `answer_from_form`, `answer_from_json`: an untrusted submission into the answer shape it scores;
- `score`:        (share of the credit, whether anything was answered), partial credit included;
- `unanswered`:   why an answer still leaves the question open (for "submit anyway?");
- `key` / `key_text`: the right answer, for the reveal, review pages and the workbook;
- `tally`:        counts for a live poll's chart and for question analytics;
- `wrong_labels`: the wrong choices an answer made (analytics' "most common wrong answer");
- `guess`:        the expected credit of a blind, test-wise guess (content cue checks);
- `from_gift` / `to_gift`: Moodle GIFT import and export.

Templates: `quizzes/types/<name>/input.html`, `review.html` and `key.html`, each given `q` (the
public view for input; the question with its body for review and key), and for review `answer`,
`their` and `own`.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any, ClassVar, Protocol, overload

from app.text import without_unsafe

Bad = Callable[[int, str], None]          # report a problem at a line of the quiz file
MAX_TEXT = 500
MAX_PARTS = 50
ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

NOT_ANSWERED = "not answered"


class Source(Protocol):
    """A question's YAML mapping as app/content/yamlsource.py loads it: keys with their lines."""

    line: int

    def get(self, key: str, default: Any = None, /) -> Any: ...
    def line_of(self, key: str) -> int: ...
    def __contains__(self, key: object, /) -> bool: ...


class FormLike(Protocol):
    @overload
    def get(self, key: str, /) -> Any: ...
    @overload
    def get(self, key: str, default: str, /) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


class Body(Protocol):
    """A type's own part of a question (options and key, pairs, a number…), frozen."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    feedback: str = ""


@dataclass(frozen=True)
class Pair:
    id: str
    left: str
    right: str


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    correct: bool | None       # None: no right answer (opinion polls, or not revealed)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "count": self.count, "correct": self.correct}


@dataclass(frozen=True)
class Tally:
    responses: int
    bars: tuple[Bar, ...]
    summary: str = ""          # one line under the chart, e.g. a rating's mean

    def as_dict(self) -> dict[str, Any]:
        return {"responses": self.responses, "bars": [b.as_dict() for b in self.bars], "summary": self.summary}


@dataclass(frozen=True)
class GiftNote:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class GiftBlock:
    """One GIFT question taken apart (app/quizzes/gift.py): what a type needs to recognise it."""

    line: int
    base: dict[str, Any]                   # id and prompt
    body: str                              # the answer block, general feedback removed
    general: str                           # general feedback ("####…")
    pieces: list[tuple[str, str]]          # (operator "=" or "~", text) of each answer
    lead: str = ""                         # text before the first answer (none is allowed)
    notes: list[GiftNote] = field(default_factory=list)

    def answers(self) -> list[tuple[str, str]]:
        """The answers, for a type that reads them; text before the first one is an error."""
        if self.lead.strip():
            raise ValueError("text before the first answer in the answer block")
        return self.pieces


class QuestionType(ABC):
    """The base every type derives from. Defaults suit a type with one typed text answer; a type
    that leaves an abstract method out cannot be instantiated (its module fails at import)."""

    name: ClassVar[str]
    label: ClassVar[str]                   # how people call it ("multiple choice, one answer")
    keys: ClassVar[frozenset[str]] = frozenset()   # its own keys in a quiz file
    gift_priority: ClassVar[int] = 100     # lower is tried first on GIFT import; 0 = never imported
    example: ClassVar[str] = ""           # a question of the type in a quiz file (YAML): docs and the contract test
    live_board: ClassVar[str] = ""        # a live poll's own board: "cloud" (terms()), "wall" (answers approved one by one)

    # --- the quiz file ---------------------------------------------------------------------
    @abstractmethod
    def parse(self, raw: Source, label: str, bad: Bad) -> Body:
        ...

    @abstractmethod
    def from_dict(self, data: Mapping[str, Any]) -> Body:
        ...

    def has_key(self, body: Any) -> bool:
        """Whether an answer can be right or wrong (a rating with no accepted range cannot)."""
        return True

    # --- asking ----------------------------------------------------------------------------
    def display(self, body: Any, rng: Random, shuffle_options: bool) -> dict[str, Any]:
        return {}

    def public(self, body: Any, display: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def answer_from_form(self, qid: str, body: Any, display: Mapping[str, Any], form: FormLike) -> Any:
        value = str(form.get(field_name(qid), "") or "").strip()[:MAX_TEXT]
        return value or None

    def answer_from_json(self, value: Any) -> Any:
        """An answer sent as JSON (the live API), in the shapes the scorer reads: text, a list of
        texts, or text → text. A number or true/false counts as its JSON text ("12", "true");
        values nested deeper are dropped, control characters removed and every text cut to
        MAX_TEXT, so no shape a script sends can break scoring, tallies or exports."""
        return plain_json_answer(value)

    def unanswered(self, body: Any, display: Mapping[str, Any], answer: Any) -> str | None:
        return None if isinstance(answer, str) and answer.strip() else NOT_ANSWERED

    # --- marking ---------------------------------------------------------------------------
    @abstractmethod
    def score(self, body: Any, answer: Any) -> tuple[float, bool]:
        ...

    @abstractmethod
    def key(self, body: Any) -> Any:
        """The right answer as JSON (the live reveal)."""
        ...

    @abstractmethod
    def key_text(self, body: Any) -> str:
        """The right answer in one line of text (the workbook's answer key)."""
        ...

    @abstractmethod
    def right_answer(self, body: Any) -> Any:
        """An answer that earns full credit, in the shape the type scores (None: no right answer)."""
        ...

    def wrong_labels(self, body: Any, answer: Any) -> list[str]:
        return []

    def guess(self, body: Any) -> float:
        """Expected credit of a blind guess that follows the cues a test-wise person would."""
        return 0.0

    def tally(self, body: Any, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        """Counts for the chart: right / wrong (and the commonest typed answers). Without
        `with_key` nothing in the result reveals the key."""
        return right_wrong_tally(answers, with_key=with_key, texts=True)

    def hide(self, body: Any, tally: Tally, hidden: Iterable[str]) -> Tally:
        """The tally without what the instructor hid from the room (a word cloud's terms)."""
        return tally

    # --- GIFT --------------------------------------------------------------------------------
    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        """The question (a quiz-file mapping) if this block is of this type, else None."""
        return None

    def to_gift(self, question: Any, body: Any) -> tuple[str | None, list[str]]:
        """(GIFT answer block without braces, or None if GIFT cannot hold it; notes)."""
        return None, [f"GIFT has no {self.label} question; not exported"]


class OpinionType(QuestionType):
    """A type with no right answer (a word cloud, an open answer): it earns no credit, counts as
    answered when `cleaned` keeps something, and has no key to reveal. A type gives `cleaned` (an
    untrusted answer in its own shape, empty when nothing is left) and its `key_text`."""

    @abstractmethod
    def cleaned(self, raw: Any) -> Any:
        ...

    def has_key(self, body: Any) -> bool:
        return False

    def answer_from_json(self, value: Any) -> Any:
        return self.cleaned(plain_json_answer(value)) or None

    def unanswered(self, body: Any, display: Mapping[str, Any], answer: Any) -> str | None:
        return None if self.cleaned(answer) else NOT_ANSWERED

    def score(self, body: Any, answer: Any) -> tuple[float, bool]:
        return 0.0, bool(self.cleaned(answer))

    def key(self, body: Any) -> Any:
        return None

    def right_answer(self, body: Any) -> Any:
        return None


# --- helpers the types share -------------------------------------------------------------------

def field_name(question_id: str, part: str | None = None) -> str:
    return f"q-{question_id}" + (f"--{part}" if part else "")


def plain_json_answer(value: Any) -> Any:
    def text(item: Any) -> str | None:
        if isinstance(item, str):
            return without_unsafe(item[:MAX_TEXT])
        if isinstance(item, (bool, int, float)):
            return json.dumps(item)[:MAX_TEXT]
        return None

    if isinstance(value, list):
        return [t for t in map(text, value[:MAX_PARTS]) if t is not None]
    if isinstance(value, dict):
        return {without_unsafe(str(k)[:MAX_TEXT]): t for k, v in list(value.items())[:MAX_PARTS]
                if (t := text(v)) is not None}
    return text(value)


def number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def as_list(answer: Any) -> list[str]:
    if answer is None or isinstance(answer, Mapping):
        return []
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, Iterable):
        return [a for a in answer if isinstance(a, str)]
    return []


def as_text(answer: Any) -> str:
    if isinstance(answer, str):
        return answer
    values = as_list(answer)
    return values[0] if len(values) == 1 else ""


def normalise_text(text: str) -> str:
    """Case, accents, surrounding punctuation and runs of spaces do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped.strip(" .,;:!?\"'“”‘’()[]")


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A plain decimal number ("12", "-3.5", "0,25", "1e3"); anything else is None."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if not cleaned or len(cleaned) > 40 or not _NUMBER.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_options(raw: Source, key: str, label: str, bad: Bad) -> tuple[Option, ...]:
    """A list of {id, text, feedback} entries (choices, or the items of an ordering question)."""
    entries = raw.get(key)
    if not isinstance(entries, list):
        bad(raw.line_of(key), f"{label}: {key!r} is a list of {{id, text}} entries")
        return ()
    out: list[Option] = []
    for entry in entries:
        at = getattr(entry, "line", raw.line_of(key))
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and ID.match(entry["id"])):
            bad(at, f"{label}: every entry of {key!r} needs an 'id' (letters, digits, hyphens)")
            continue
        text = entry.get("text")
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str) or not text.strip():
            bad(at, f"{label}: entry {entry['id']!r} needs a 'text'")
            continue
        unknown = set(entry) - {"id", "text", "feedback"}
        if unknown:
            bad(at, f"{label}: unknown key(s) {', '.join(sorted(unknown))} in entry {entry['id']!r}")
        feedback = entry.get("feedback", "")
        out.append(Option(entry["id"], text.strip(), str(feedback or "").strip()))
    if len({o.id for o in out}) != len(out):
        bad(raw.line_of(key), f"{label}: ids in {key!r} must all differ")
    return tuple(out)


def options_from_dicts(items: Iterable[Mapping[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(str(o["id"]), str(o.get("text", "")), str(o.get("feedback", "") or "")) for o in items)


def option_dicts(options: Iterable[Option]) -> list[dict[str, str]]:
    return [{"id": o.id, "text": o.text, "feedback": o.feedback} for o in options]


def right_wrong_tally(answers: Sequence[tuple[Any, float]], *, with_key: bool, partly: bool = False,
                      texts: bool = False) -> Tally:
    """Right / partly right / wrong after the reveal; before it, only the commonest typed answers."""
    if not with_key:
        return Tally(len(answers), text_bars(answers, None) if texts else ())
    right_n = sum(1 for _raw, f in answers if f >= 1.0)
    partly_n = sum(1 for _raw, f in answers if 0 < f < 1.0)
    bars: tuple[Bar, ...] = (Bar("Right", right_n, True),)
    if partly:
        bars += (Bar("Partly right", partly_n, None),)
    bars += (Bar("Wrong", len(answers) - right_n - partly_n, False),)
    if texts:
        bars += text_bars(answers, True)
    return Tally(len(answers), bars)


TOP_TEXT_ANSWERS = 5


def text_bars(answers: Sequence[tuple[Any, float]], with_key: bool | None) -> tuple[Bar, ...]:
    """The most common typed answers (compared as the scorer compares them)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    right: dict[str, bool] = {}
    for raw, fraction in answers:
        if not isinstance(raw, str) or not raw.strip():
            continue
        key = normalise_text(raw)
        counts[key] += 1
        shown.setdefault(key, raw.strip()[:60])
        right[key] = fraction >= 1.0
    return tuple(Bar(f"“{shown[k]}”", n, right[k] if with_key else None)
                 for k, n in counts.most_common(TOP_TEXT_ANSWERS))


def choice_counts(labels: Mapping[str, str], order: Sequence[str], right: Iterable[str],
                  answers: Sequence[tuple[Any, float]], *, show_right: bool) -> Tally:
    """One bar per option (a person choosing two options counts under both)."""
    counts: Counter[str] = Counter()
    for raw, _fraction in answers:
        for option_id in set(as_list(raw)):
            if option_id in labels:
                counts[option_id] += 1
    right_set = set(right)
    return Tally(len(answers), tuple(Bar(labels[oid], counts[oid], (oid in right_set) if show_right else None)
                                     for oid in order if oid in labels))
