"""Unanswered questions (app/quizzes/completeness.py) and the untouched-ordering rule in the form
reader (app/quizzes/answers.py): an ordering question whose positions were never given is
unanswered, never the order it was shown in."""
import pytest
from werkzeug.datastructures import MultiDict

from app.content.quizzes import Question
from app.quizzes import completeness, scoring
from app.quizzes.answers import answers_from_form
from app.quizzes.types.base import Option
from app.quizzes.types.choice import ChoiceBody

ORDER = {"id": "o", "type": "ordering", "options": [{"id": "x"}, {"id": "y"}, {"id": "z"}],
         "display": {"options": ["z", "x", "y"], "pairs": [], "choices": []}}
MATCH = {"id": "m", "type": "matching", "pairs": [{"id": "p1"}, {"id": "p2"}],
         "display": {"options": [], "pairs": ["p2", "p1"], "choices": ["A", "B"]}}
SINGLE = {"id": "s", "type": "single", "options": [{"id": "a"}, {"id": "b"}]}
MULTI = {"id": "mu", "type": "multiple", "options": [{"id": "a"}, {"id": "b"}]}
TEXT = {"id": "t", "type": "short_text"}
NUMBER = {"id": "n", "type": "numeric"}
QUESTIONS = [SINGLE, MULTI, ORDER, MATCH, TEXT, NUMBER]
ORDER_KEY = Question(id="o", type="ordering", prompt="", points=1.0, explanation="",
                     body=ChoiceBody((Option("x", "X"), Option("y", "Y"), Option("z", "Z")), ("x", "y", "z")))


def order_form(**positions):
    return MultiDict({f"q-o--{k}": v for k, v in positions.items()})


def test_an_untouched_ordering_question_sends_no_answer_and_earns_nothing():
    # positions start blank on the page: an untouched question posts "" for each item
    answers = answers_from_form([ORDER], order_form(x="", y="", z=""))
    assert "o" not in answers
    assert scoring.mark(ORDER_KEY, answers.get("o")) == scoring.Mark("o", 0.0, 0.0, False)
    assert [g.reason for g in completeness.gaps([ORDER], answers)] == [completeness.NOT_ANSWERED]


def test_a_fully_placed_ordering_question_is_answered_and_marked():
    answers = answers_from_form([ORDER], order_form(x="1", y="2", z="3"))
    assert answers == {"o": ["x", "y", "z"]}
    assert completeness.gaps([ORDER], answers) == ()
    assert scoring.mark(ORDER_KEY, answers["o"]).fraction == 1.0


def test_a_partly_placed_ordering_question_keeps_each_item_in_its_slot_and_is_still_to_answer():
    answers = answers_from_form([ORDER], order_form(x="3", y="", z="1"))
    assert answers == {"o": ["z", "", "x"]}          # the page shows z 1st and x 3rd again
    assert [g.reason for g in completeness.gaps([ORDER], answers)] == [completeness.NOT_ALL_PLACED]
    assert scoring.mark(ORDER_KEY, answers["o"]) == scoring.Mark("o", 0.0, 0.0, True)


def test_two_items_in_one_position_are_still_to_answer_and_wrong():
    answers = answers_from_form([ORDER], order_form(x="1", y="1", z="2"))
    assert answers["o"][-1] == "__incomplete__"
    assert [g.reason for g in completeness.gaps([ORDER], answers)] == [completeness.NOT_ALL_PLACED]
    assert scoring.mark(ORDER_KEY, answers["o"]).fraction == 0.0


@pytest.mark.parametrize(("question", "answer", "reason"), [
    (SINGLE, None, completeness.NOT_ANSWERED),
    (SINGLE, "a", None),
    (MULTI, [], completeness.NOT_ANSWERED),          # the "present" marker with no box ticked
    (MULTI, ["b"], None),
    (MATCH, {"p1": "A"}, completeness.NOT_ALL_MATCHED),
    (MATCH, {"p1": "A", "p2": ""}, completeness.NOT_ALL_MATCHED),
    (MATCH, {"p1": "A", "p2": "B"}, None),
    (MATCH, {}, completeness.NOT_ANSWERED),
    (TEXT, "  ", completeness.NOT_ANSWERED),
    (TEXT, "backcasting", None),
    (NUMBER, "12", None),
    (ORDER, "x", completeness.NOT_ANSWERED),          # a tampered shape is simply unanswered
    (ORDER, ["x", "y"], completeness.NOT_ALL_PLACED),
    (MATCH, ["A"], completeness.NOT_ANSWERED),
])
def test_reason_unanswered(question, answer, reason):
    assert completeness.reason_unanswered(question, answer) == reason


def test_gaps_are_numbered_as_shown_and_skip_locked_questions():
    answers = {"s": "a", "t": "x"}
    found = completeness.gaps(QUESTIONS, answers, locked=["mu"])
    assert [(g.question_id, g.number) for g in found] == [("o", 3), ("m", 4), ("n", 6)]
    assert completeness.gaps(QUESTIONS, {**answers, "o": ["x", "y", "z"], "m": {"p1": "A", "p2": "B"}, "n": "1"},
                             locked=["mu"]) == ()
