import math

import pytest

from app.content.quizzes import Question
from app.quizzes.scoring import mark, normalise_text, parse_number, score_attempt
from app.quizzes.types.base import Option, Pair
from app.quizzes.types.choice import ChoiceBody
from app.quizzes.types.matching import MatchingBody
from app.quizzes.types.numeric import NumericBody
from app.quizzes.types.short_text import ShortTextBody


def q(kind, **kw):
    defaults = dict(id="q", type=kind, prompt="p", points=kw.pop("points", 1.0), explanation="e")
    if "options" in kw:
        body = ChoiceBody(kw.pop("options"), kw.pop("correct"))
    elif "pairs" in kw:
        body = MatchingBody(kw.pop("pairs"), kw.pop("distractors", ()))
    elif "number" in kw:
        body = NumericBody(kw.pop("number"), kw.pop("tolerance", 0.0), kw.pop("unit", ""))
    else:
        body = ShortTextBody(kw.pop("accept"))
    return Question(**defaults, body=body, **kw)


SINGLE = q("single", options=(Option("a", "A"), Option("b", "B")), correct=("b",))
MULTI = q("multiple", options=(Option("a", "A"), Option("b", "B"), Option("c", "C"), Option("d", "D")),
          correct=("a", "b"), points=2.0)
TF = q("true_false", options=(Option("true", "True"), Option("false", "False")), correct=("false",))
ORDER = q("ordering", options=(Option("x", "X"), Option("y", "Y"), Option("z", "Z"), Option("w", "W")),
          correct=("x", "y", "z", "w"))
MATCH = q("matching", pairs=(Pair("m1", "L1", "R1"), Pair("m2", "L2", "R2"), Pair("m3", "L3", "R3"),
                             Pair("m4", "L4", "R4")), distractors=("R5",))
NUM = q("numeric", number=12.0, tolerance=0.5)
TEXT = q("short_text", accept=("back-casting", "Sölvell"))


@pytest.mark.parametrize("answer,fraction,answered", [
    ("b", 1, True), ("a", 0, True), (None, 0, False), ("", 0, False), ("zzz", 0, True),
    (["b"], 1, True), (["b", "a"], 0, False), ({"b": "b"}, 0, False),
])
def test_single(answer, fraction, answered):
    result = mark(SINGLE, answer)
    assert (result.fraction, result.answered) == (fraction, answered)


@pytest.mark.parametrize("answer,fraction", [
    (["a", "b"], 1.0), (["a"], 0.5), (["a", "c"], 0.0), (["a", "b", "c"], 0.5), (["c", "d"], 0.0),
    ([], 0.0), (None, 0.0), (["a", "a", "b"], 1.0), (["a", "b", "evil"], 0.0), ("a", 0.5),
])
def test_multiple_partial_credit(answer, fraction):
    result = mark(MULTI, answer)
    assert result.fraction == pytest.approx(fraction)
    assert result.points == pytest.approx(fraction * 2)


def test_true_false():
    assert mark(TF, "false").correct and not mark(TF, "true").correct
    assert not mark(TF, "False").correct  # ids are exact; the form sends "false"


@pytest.mark.parametrize("answer,fraction", [
    (["x", "y", "z", "w"], 1.0), (["y", "x", "z", "w"], 0.5), (["w", "z", "y", "x"], 0.0),
    (["x", "y", "z"], 0.0), (["x", "x", "z", "w"], 0.0), (["x", "y", "z", "evil"], 0.0), ([], 0.0),
])
def test_ordering(answer, fraction):
    assert mark(ORDER, answer).fraction == pytest.approx(fraction)


@pytest.mark.parametrize("answer,fraction", [
    ({"m1": "R1", "m2": "R2", "m3": "R3", "m4": "R4"}, 1.0),
    ({"m1": "R1", "m2": "R2", "m3": "R4", "m4": "R3"}, 0.5),
    ({"m1": "R5", "m2": "R5"}, 0.0),
    ({"m1": "R1", "evil": "R2"}, 0.25),
    ({"m1": "<script>", "m2": "R2"}, 0.25),
    ({}, 0.0), (["R1"], 0.0), (None, 0.0),
])
def test_matching(answer, fraction):
    assert mark(MATCH, answer).fraction == pytest.approx(fraction)


@pytest.mark.parametrize("answer,correct", [
    ("12", True), ("12.4", True), ("11,5", True), (" 12 ", True), ("12.6", False), ("1.2e1", True),
    ("twelve", False), ("", False), ("1e309", False), ("nan", False), ("inf", False), ("-12", False),
    ("9" * 400, False), ("12; drop table", False),
])
def test_numeric(answer, correct):
    assert mark(NUM, answer).correct is correct


def test_parse_number_extremes():
    assert parse_number("1e308") == 1e308
    assert parse_number("1e309") is None and parse_number("NaN") is None
    assert parse_number("−3") == -3.0 and parse_number(".5") == 0.5
    assert not math.isnan(parse_number("0") or 0)


@pytest.mark.parametrize("answer,correct", [
    ("back-casting", True), ("  BACK-CASTING  ", True), ("Back-casting.", True), ("solvell", True),
    ("SÖLVELL", True), ("back  casting", False), ("", False), ("forecasting", False),
])
def test_short_text(answer, correct):
    assert mark(TEXT, answer).correct is correct


def test_normalise_text():
    assert normalise_text("  Ça   va?  ") == "ca va"


def test_score_attempt_pass_mark_boundary():
    questions = [SINGLE, MULTI, TF]  # 4 points in all
    result = score_attempt(questions, {"q": None}, 75)
    assert result.points == 0 and not result.passed
    single = score_attempt([SINGLE], {"q": "b"}, 100)
    assert single.passed and single.percent == 100.0
    multi = score_attempt([MULTI, SINGLE], {"q": ["a"]}, 33)  # same id "q": multiple gets 0.5×2=1, single wrong
    assert multi.points == 1 and multi.out_of == 3 and multi.passed and multi.percent == 33.3


def test_zero_point_quiz_never_passes():
    assert not score_attempt([], {}, 0).passed
