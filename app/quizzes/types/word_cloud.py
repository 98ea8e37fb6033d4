"""A word cloud: each person gives one to three short answers (a word or a short phrase); the room
sees the terms sized by how many people gave them. No right answer (an opinion: it earns and counts
no points, and a live poll of it is an opinion poll).

Terms are compared normalised (`term_key`): case, accents, runs of spaces and surrounding
punctuation do not matter, and the question's language's stop words are dropped ("the agile way"
and "Agile way!" are one term); a phrase of stop words only is dropped. A person naming the same
term twice counts once.

In a quiz file:

    type: word_cloud
    lang: en                  # optional: whose stop words to drop (en, fr, de); en by default

GIFT has no word cloud; it is never exported or imported.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.quizzes.types.base import (
    Bad,
    Bar,
    FormLike,
    OpinionType,
    Source,
    Tally,
    field_name,
)

MAX_TERMS = 3                  # answers per person
MAX_TERM_LENGTH = 40           # characters per answer
TOP_BARS = 12                  # terms a tally lists (the chart, question analytics)

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(["a", "an", "the", "and", "or", "but", "nor", "so", "yet", "of", "to", "in", "on", "at", "by", "for", "from", "with", "without", "into", "onto", "about", "as", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "it", "its", "this", "that", "these", "those", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "their", "his", "her", "very", "really", "just", "not", "no", "than", "then", "there", "here", "what", "which", "who", "how", "will", "would", "can", "could", "should", "may", "might", "must", "have", "has", "had"]),
    "fr": frozenset(["le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "mais", "ni", "donc", "car", "a", "au", "aux", "en", "dans", "sur", "sous", "par", "pour", "avec", "sans", "ce", "cet", "cette", "ces", "c", "est", "sont", "etre", "je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "te", "se", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur", "leurs", "qui", "que", "qu", "quoi", "ne", "pas", "plus", "tres"]),
    "de": frozenset(["der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen", "und", "oder", "aber", "doch", "im", "in", "an", "am", "auf", "aus", "bei", "mit", "nach", "von", "vom", "zu", "zum", "zur", "fur", "uber", "unter", "ist", "sind", "war", "waren", "sein", "ich", "du", "er", "sie", "es", "wir", "ihr", "mein", "dein", "nicht", "kein", "keine", "sehr", "auch", "so", "wie", "als"]),
}
LANGUAGES = tuple(STOP_WORDS)

_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    """Lower case without accents: how words are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _trim(word: str) -> str:
    """A word without the punctuation and symbols around it ("(agile)," → "agile")."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PSZ":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PSZ":
        end -= 1
    return word[start:end]


def clean_term(text: str, lang: str = "en") -> str:
    """What a person typed as it is shown: lower case, accents kept, single spaces, surrounding
    punctuation and the language's stop words removed ("" when nothing is left)."""
    stop = STOP_WORDS.get(lang, STOP_WORDS["en"])
    text = unicodedata.normalize("NFC", text or "")[:MAX_TERM_LENGTH * 2]
    words = [_trim(w) for w in _SPACES.split(text.casefold().replace("\u2019", "'"))]
    kept: list[str] = []
    for word in words:
        if not word:
            continue
        parts = [p for p in re.split(r"'", word) if p]          # l'agilité → l, agilité
        if all(_plain(p) in stop for p in parts):
            continue
        if len(parts) > 1 and _plain(parts[0]) in stop:
            word = "'".join(parts[1:])
        kept.append(word)
    return " ".join(kept)


def term_key(text: str, lang: str = "en") -> str:
    """The term a text counts under: `clean_term` without accents (so "Équipe" and "equipe" meet)."""
    return _plain(clean_term(text, lang))


@dataclass(frozen=True)
class Term:
    key: str                   # what it is counted under (term_key)
    label: str                 # how it is shown: the commonest way people wrote it, cleaned
    count: int                 # people who gave it


def count_terms(answers: Iterable[Any], lang: str = "en") -> list[Term]:
    """Terms with the number of people who gave them, most first (then alphabetically). Each answer
    is one person's list of texts; a person naming a term twice counts once."""
    counts: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = {}
    for raw in answers:
        keys: dict[str, str] = {}
        for text in as_terms(raw):
            label = clean_term(text, lang)
            if label:
                keys.setdefault(_plain(label), label)
        for key, label in keys.items():
            counts[key] += 1
            labels.setdefault(key, Counter())[label] += 1
    terms = [Term(key, min(labels[key].items(), key=lambda item: (-item[1], item[0]))[0], n)
             for key, n in counts.items()]
    return sorted(terms, key=lambda t: (-t.count, t.key))


def as_terms(raw: Any) -> list[str]:
    """One person's answer as up to MAX_TERMS non-empty texts of at most MAX_TERM_LENGTH characters."""
    values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    texts = [_SPACES.sub(" ", v).strip()[:MAX_TERM_LENGTH] for v in values if isinstance(v, str)]
    return [t for t in texts if t][:MAX_TERMS]


@dataclass(frozen=True)
class WordCloudBody:
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang}


class WordCloud(OpinionType):
    name = "word_cloud"
    label = "word cloud"
    keys = frozenset({"lang"})
    gift_priority = 0                     # GIFT has no word cloud
    live_board = "cloud"
    example = """\
id: one-word
type: word_cloud
prompt: In one to three words, what makes a working group work?
lang: en
explanation: There is no right answer; the trainer reads the cloud with the room.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> WordCloudBody:
        lang = raw.get("lang", "en")
        if lang not in STOP_WORDS:
            bad(raw.line_of("lang"), f"{label}: 'lang' is one of {', '.join(LANGUAGES)} (whose stop words to drop)")
            lang = "en"
        return WordCloudBody(lang)

    def from_dict(self, data: Mapping[str, Any]) -> WordCloudBody:
        lang = str(data.get("lang") or "en")
        return WordCloudBody(lang if lang in STOP_WORDS else "en")

    def cleaned(self, raw: Any) -> Any:
        return as_terms(raw)

    def public(self, body: WordCloudBody, display: Mapping[str, Any]) -> dict[str, Any]:
        return {"slots": MAX_TERMS, "max_length": MAX_TERM_LENGTH}

    def answer_from_form(self, qid: str, body: WordCloudBody, display: Mapping[str, Any], form: FormLike) -> Any:
        texts = as_terms([str(form.get(field_name(qid, str(n)), "") or "") for n in range(1, MAX_TERMS + 1)])
        return texts or None

    def key_text(self, body: WordCloudBody) -> str:
        return "any words: no right answer (a word cloud)"

    def terms(self, body: WordCloudBody, answers: Iterable[Any]) -> list[Term]:
        return count_terms(answers, body.lang)

    def tally(self, body: WordCloudBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        """The commonest terms, one bar each (never right or wrong)."""
        terms = count_terms((raw for raw, _f in answers), body.lang)
        summary = f"{len(terms)} different {'term' if len(terms) == 1 else 'terms'}" if terms else ""
        return Tally(len(answers), tuple(Bar(t.label, t.count, None) for t in terms[:TOP_BARS]), summary)

    def hide(self, body: WordCloudBody, tally: Tally, hidden: Iterable[str]) -> Tally:
        gone = set(hidden)
        bars = tuple(b for b in tally.bars if term_key(b.label, body.lang) not in gone)
        return Tally(tally.responses, bars, tally.summary)


TYPE = WordCloud()
