"""The contract every registered question type keeps (app/quizzes/types/): its example parses
without problems, round-trips through to_dict()/from_dict(), never shows its key before an answer
is marked, scores within [0, 1] whatever is sent, gives full credit to its right answer, reads an
empty form as unanswered, tallies without revealing the key, has its three templates, and survives
GIFT export and import (or says why not)."""
from __future__ import annotations

import json
import random

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from app.content.quizzes import QUESTION_KEYS, Question, _question
from app.content.yamlsource import load_yaml
from app.quizzes.gift import export_gift, import_gift
from app.quizzes.scoring import mark
from app.quizzes.services import QuestionReview
from app.quizzes.snapshot import Asked, ask
from app.quizzes.types import registry
from app.quizzes.types.base import NOT_ANSWERED

TYPES = list(registry.TYPES.values())
KEY_FIELDS = {"correct", "accept", "answer", "number", "tolerance", "feedback", "explanation", "right", "key",
              "range", "distractors"}
NASTY = [None, "", " ", "zzz", "0", "-1", "1e308", "\x00", [], [""], ["zzz"], ["a", "a", "a"], {}, {"x": "y"},
         {"p1": ""}, 7, 2.5, True, [[1]], {"a": {"b": "c"}}, "a" * 600]


def parse(kind):
    problems: list[tuple[int, str]] = []
    question = _question(load_yaml(kind.example), 1, lambda line, message: problems.append((line, message)))
    assert not problems, problems
    assert question is not None
    return question


@pytest.fixture(params=TYPES, ids=[t.name for t in TYPES])
def kind(request):
    return request.param


def test_every_type_has_an_example_of_its_own_type_with_only_its_keys(kind):
    question = parse(kind)
    assert question.type == kind.name and question.kind is kind
    assert set(load_yaml(kind.example)) <= QUESTION_KEYS | kind.keys
    assert kind.label and kind.name in registry.NAMES


def test_round_trips_through_to_dict(kind):
    question = parse(kind)
    data = json.loads(json.dumps(question.to_dict()))          # what the database stores is JSON
    assert Question.from_dict(data) == question
    asked = ask(question, random.Random(7), shuffle_options=True)
    again = Asked.from_dict(json.loads(json.dumps(asked.to_dict())))
    assert again == asked and again.public() == asked.public()


def test_the_public_view_holds_no_key(kind):
    question = parse(kind)
    public = ask(question, random.Random(3), shuffle_options=True).public()

    def walk(value):
        if isinstance(value, dict):
            assert not (set(value) & KEY_FIELDS), f"{kind.name}: {set(value) & KEY_FIELDS} in the public view"
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(public)
    assert question.explanation not in json.dumps(public)
    assert set(public) >= {"id", "type", "prompt", "points"}


def test_scores_stay_within_bounds_whatever_is_sent(kind):
    question = parse(kind)
    for raw in NASTY:
        for answer in (raw, kind.answer_from_json(raw)):
            fraction, answered = kind.score(question.body, answer)
            assert 0.0 <= fraction <= 1.0 and isinstance(answered, bool), (kind.name, raw)
            result = mark(question, answer)
            assert 0.0 <= result.points <= question.points


def test_the_right_answer_earns_full_credit_and_survives_json(kind):
    question = parse(kind)
    right = kind.right_answer(question.body)
    if not question.has_key:
        assert mark(question, right).points == 0 and not mark(question, right).scored
        return
    assert kind.score(question.body, right) == (1.0, True)
    assert kind.score(question.body, kind.answer_from_json(json.loads(json.dumps(right)))) == (1.0, True)
    asked = ask(question, random.Random(1), shuffle_options=True)
    assert asked.unanswered(right) is None


def test_an_empty_form_is_unanswered(kind):
    asked = ask(parse(kind), random.Random(5), shuffle_options=True)
    assert asked.answer_from_form(MultiDict()) is None
    assert asked.unanswered(None) == NOT_ANSWERED


def test_tallies_count_everyone_and_hide_the_key_until_asked(kind):
    question = parse(kind)
    asked = ask(question, random.Random(2), shuffle_options=True)
    right = kind.right_answer(question.body)
    answers = [(right, 1.0 if question.has_key else 0.0), ("zzz", 0.0), (None, 0.0)]
    hidden = kind.tally(question.body, asked.display, answers, scored=True, with_key=False)
    assert hidden.responses == 3 and all(bar.correct is None for bar in hidden.bars)
    shown = kind.tally(question.body, asked.display, answers, scored=True, with_key=True)
    assert shown.responses == 3
    assert json.dumps(shown.as_dict())


def test_gift_export_imports_back_or_says_why_not(kind):
    question = parse(kind)
    text, notes = export_gift([question])
    if not text.strip():
        assert any("not exported" in n.message for n in notes), notes
        return
    result = import_gift(text)
    assert len(result.questions) == 1, result.notes
    assert not [n for n in result.notes if "skipped" in n.message]
    back = parse_mapping(result.questions[0])
    if question.has_key:
        assert back.kind.score(back.body, question.kind.right_answer(question.body))[0] == 1.0
    if back.type == question.type and not [n for n in notes if n.line == question.line]:
        assert back.kind.key_text(back.body) == question.kind.key_text(question.body)   # nothing lost


def parse_mapping(mapping):
    import yaml
    problems: list[tuple[int, str]] = []
    question = _question(load_yaml(yaml.safe_dump(mapping)), 1, lambda line, m: problems.append((line, m)))
    assert not problems and question is not None, problems
    return question


def test_each_type_has_its_templates_and_they_render(kind, app):
    question = parse(kind)
    asked = ask(question, random.Random(4), shuffle_options=True)
    right = kind.right_answer(question.body)
    with app.test_request_context():
        form = render_template_string('{% from "quizzes/_inputs.html" import question_inputs %}'
                                      "{{ question_inputs(q, None, 1) }}", q=asked.public())
        assert f'name="q-{question.id}' in form
        review = render_template_string('{% from "quizzes/_review.html" import answer_review %}'
                                        "{{ answer_review(r) }}",
                                        r=QuestionReview(asked, mark(question, right), right))
        assert "review" in review
        key = render_template_string('{% set b = q.body %}{% include "quizzes/types/" ~ q.type ~ "/key.html" %}',
                                     q=question)
        assert key.strip()
