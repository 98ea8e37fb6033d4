"""GIFT import and export, against Moodle's own example and fixture files."""
import dataclasses
from pathlib import Path

import pytest
import yaml

from app.content.quizzes import parse_quiz
from app.quizzes.gift import export_gift, import_gift

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Moodle's own GIFT files (GPL), kept beside the project in ../shared/interop rather than copied in.
MOODLE = Path(__file__).resolve().parents[3] / "shared" / "interop" / "moodle-gift"
needs_moodle = pytest.mark.skipif(not MOODLE.is_dir(), reason=f"Moodle's GIFT corpus not found at {MOODLE}")


def by_prompt(result, start):
    return [q for q in result.questions if q["prompt"].startswith(start)]


@needs_moodle
def test_moodle_examples_import():
    result = import_gift((MOODLE / "examples.gift").read_text())
    types = {q["type"] for q in result.questions}
    assert types == {"single", "multiple", "true_false", "short_text", "numeric", "matching"}
    tomb = by_prompt(result, "Who's buried in Grant's tomb?")[0]
    assert tomb["type"] == "single" and [o["text"] for o in tomb["options"]] == ["Grant", "Jefferson", "no one"]
    assert tomb["answer"] == "c"
    missing_word = by_prompt(result, "Grant is _____ in Grant's tomb.")[0]
    assert missing_word["answer"] == "b"
    pi = [q for q in result.questions if q["type"] == "numeric" and q["prompt"].startswith("What is the value of pi")]
    assert [(q["answer"], q["tolerance"]) for q in pi] == [(3.1415, 0.0005), (3.1415, 0.0005)]
    capitals = by_prompt(result, "Match the following countries")[0]
    assert {p["left"]: p["right"] for p in capitals["pairs"]}["India"] == "New Delhi"
    two_people = by_prompt(result, "What two people are entombed")
    assert [q["type"] for q in two_people] == ["multiple", "multiple"] and two_people[0]["answer"] == ["b", "c"]
    control = by_prompt(result, "Which of the following is NOT a control character")[0]
    assert [o["text"] for o in control["options"]] == ["~", "=", "#", "{", "}", "\\"]
    assert control["options"][-1]["feedback"].startswith("Correct! \\ (backslash) is not a control character.")
    feedback = by_prompt(result, "What's the answer to this multiple-choice")[0]
    assert feedback["options"][2]["feedback"] == "Very good!"
    sun = by_prompt(result, "The sun rises in the east.")[0]
    assert sun["type"] == "true_false" and sun["answer"] is True
    assert "**Grant's tomb**" in by_prompt(result, "Who's buried in **Grant's tomb**")[0]["prompt"]
    # partial credit Lectern cannot keep is reported with its line, never silently dropped
    assert any(n.line == 123 and "Nazereth" in n.message for n in result.notes)
    assert any(n.line == 117 and "Bethlehem" in n.message for n in result.notes)


@needs_moodle
def test_moodle_fixture_reports_what_it_cannot_import():
    result = import_gift((MOODLE / "fixture-questions.gift").read_text())
    messages = {n.line: n.message for n in result.notes}
    assert "essay" in messages[2]
    assert "wildcard" in messages[34] and "Cat" in messages[34]
    matching = result.questions[0]
    assert matching["type"] == "matching" and matching["distractors"] == ["Chat"]
    assert [p["right"] for p in matching["pairs"]] == ["Forum", "Choice", "Database", "Wiki"]
    colours = next(q for q in result.questions if q["id"] == "colours")
    assert colours["type"] == "multiple" and colours["answer"] == ["a", "c"]
    q1 = next(q for q in result.questions if q["id"] == "q1")
    assert q1["answer"] is False and "Hitchiker" in q1["explanation"]
    assert q1["feedback"] == {"false": "You gave the right answer.", "true": "42 is the Ultimate Answer."}
    numeric = next(q for q in result.questions if q["id"] == "q5")
    assert (numeric["answer"], numeric["tolerance"]) == (3, 2)
    assert len(result.questions) == 8  # the essay is the one question reported instead


def _write_quiz(tmp_path, questions):
    path = tmp_path / "imported.yaml"
    path.write_text(yaml.safe_dump({"id": "imported", "title": "Imported", "lesson": "x", "questions": questions},
                                   allow_unicode=True, sort_keys=False))
    quiz, problems = parse_quiz(path, "imported.yaml")
    assert problems == [], problems
    return quiz


@needs_moodle
@pytest.mark.parametrize("name", ["examples.gift", "fixture-questions.gift"])
def test_gift_round_trip_keeps_every_question(tmp_path, name):
    first = import_gift((MOODLE / name).read_text())
    quiz = _write_quiz(tmp_path, first.questions)  # every import is a valid Lectern quiz
    text, notes = export_gift(list(quiz.questions))
    assert not [n for n in notes if "not exported" in n.message]
    second = import_gift(text)
    assert second.notes == []
    assert len(second.questions) == len(first.questions)
    for a, b in zip(first.questions, second.questions):
        assert a["type"] == b["type"] and a["prompt"].strip() == b["prompt"].strip()
        for key in ("answer", "accept", "pairs", "distractors", "tolerance", "feedback"):
            assert a.get(key) == b.get(key), (a["id"], key)
        assert [o["text"] for o in a.get("options", [])] == [o["text"] for o in b.get("options", [])]
        assert [o.get("feedback") for o in a.get("options", [])] == [o.get("feedback") for o in b.get("options", [])]
        assert a["explanation"].strip() == b["explanation"].strip()


def test_lectern_quiz_round_trip(tmp_path):
    original, problems = parse_quiz(FIXTURES / "mini-quizzes" / "opening-check.yaml", "opening-check.yaml")
    assert not problems
    text, notes = export_gift(list(original.questions))
    assert [n.message for n in notes if "not exported" in n.message] == [
        "question 'order-q': GIFT has no ordering type; not exported"]
    again = _write_quiz(tmp_path, import_gift(text).questions)
    kept = [q for q in original.questions if q.type != "ordering"]
    assert len(again.questions) == len(kept)
    for a, b in zip(kept, again.questions):
        assert (a.type, a.prompt, a.explanation) == (b.type, b.prompt, b.explanation)
        assert _comparable(a) == _comparable(b)


def _comparable(question):
    """What GIFT keeps of a question's body: a choice question's options, feedback and key as
    texts (the import gives its own ids); a number without its unit (GIFT has no place for it)."""
    body = question.body
    if hasattr(body, "options"):
        return [(o.text, o.feedback) for o in body.options], [body.option(c).text for c in body.correct]
    return dataclasses.replace(body, unit="") if hasattr(body, "unit") else body


def test_every_shipped_quiz_exports():
    for path in sorted((Path(__file__).resolve().parents[2] / "quizzes").glob("*.yaml")):
        quiz, problems = parse_quiz(path, path.name)
        assert quiz is not None, problems
        text, _notes = export_gift(list(quiz.questions))
        reimported = import_gift(text)
        assert len(reimported.questions) == sum(1 for q in quiz.questions if q.type != "ordering"), path.name
