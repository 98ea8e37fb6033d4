"""The cue check (issue 17): longest-option share, key/distractor length ratio, true/false balance and
the cue-only strategy's expected score, marked with the app's own scoring."""
import pytest

from app.content.cues import item_cue, overall, problems, quiz_cues, table
from app.content.quizzes import Question, Quiz
from app.quizzes.types.base import Option, Pair
from app.quizzes.types.choice import ChoiceBody
from app.quizzes.types.matching import MatchingBody
from app.quizzes.types.numeric import NumericBody


def single(qid, key, *texts, points=1.0):
    options = tuple(Option(chr(97 + i), t) for i, t in enumerate(texts))
    return Question(id=qid, type="single", prompt="", points=points, explanation="", body=ChoiceBody(options, (key,)))


def tf(qid, answer: bool):
    return Question(id=qid, type="true_false", prompt="", points=1.0, explanation="",
                    body=ChoiceBody((Option("true", "True"), Option("false", "False")), ("true" if answer else "false",)))


def quiz(*questions, kind="day-assessment", pass_mark=70.0, qid="day-1-assessment"):
    return Quiz(id=qid, title="T", kind=kind, lesson=None, day=1, pass_mark=pass_mark, attempts=None,
                feedback="deferred", shuffle_questions=True, shuffle_options=True, subset=None, time_limit_minutes=None,
                description="", questions=tuple(questions), path=f"quizzes/{qid}.yaml", content_hash="x",
                key_lines=(("pass_mark", 6), ("questions", 12)))


def test_single_picks_the_longest_option_and_splits_ties():
    miss = item_cue(single("q", "a", "short", "the longest one", "mid"))
    assert miss.expected == 0.0 and miss.key_longest == 0.0
    hit = item_cue(single("q", "b", "short", "the longest one", "mid"))
    assert hit.expected == 1.0 and hit.key_longest == 1.0 and hit.key_length == 15 and hit.distractor_lengths == (5, 3)
    assert item_cue(single("q", "a", "longest!", "short")).expected == 1.0
    tie = item_cue(single("q", "a", "same", "same", "no"))
    assert tie.expected == 0.5 and tie.key_longest == 0.5


def test_true_false_answers_false():
    assert item_cue(tf("t", False)).expected == 1.0 and item_cue(tf("t", False)).key_false
    assert item_cue(tf("t", True)).expected == 0.0


def test_multiple_ticks_everything_with_the_apps_partial_credit():
    q = Question(id="m", type="multiple", prompt="", points=2.0, explanation="",
                 body=ChoiceBody(tuple(Option(x, x) for x in "abcde"), ("a", "b", "c")))
    assert item_cue(q).expected == pytest.approx(1 / 3)     # (3 right − 2 wrong) ÷ 3
    q2 = Question(id="m", type="multiple", prompt="", points=1.0, explanation="",
                  body=ChoiceBody(tuple(Option(x, x) for x in "abcd"), ("a",)))
    assert item_cue(q2).expected == 0.0                     # floored at 0


def test_random_order_and_matching_and_typed_answers():
    order = Question(id="o", type="ordering", prompt="", points=1.0, explanation="",
                     body=ChoiceBody(tuple(Option(x, x) for x in "abcd"), tuple("abcd")))
    assert item_cue(order).expected == pytest.approx(1 / 4)
    match = Question(id="m", type="matching", prompt="", points=1.0, explanation="",
                     body=MatchingBody((Pair("p1", "L1", "R1"), Pair("p2", "L2", "R2")), ("R3",)))
    assert item_cue(match).expected == pytest.approx(1 / 3)
    numeric = Question(id="n", type="numeric", prompt="", points=1.0, explanation="", body=NumericBody(3.0))
    assert item_cue(numeric).expected == 0.0


def test_quiz_figures_are_weighted_by_points():
    cues = quiz_cues(quiz(single("a", "a", "longer", "x"), single("b", "b", "longer", "x", points=3.0),
                          tf("c", False), tf("d", True)))
    assert cues.single_items == 2 and cues.longest_share == 0.5
    assert cues.length_ratio == pytest.approx(((6 + 1) / 2) / ((1 + 6) / 2))
    assert cues.false_share == 0.5
    assert cues.expected_percent == pytest.approx(100 * (1 + 0 + 1 + 0) / 6)


def test_a_day_assessment_fails_within_25_points_of_its_pass_mark():
    passable = quiz(single("a", "a", "longest", "x"), tf("b", False), tf("c", True), tf("d", True))   # 50%
    assert quiz_cues(passable).fails
    found = problems([passable])
    assert [str(p) for p in found if not p.warning] == [
        "quizzes/day-1-assessment.yaml:6: the cue-only strategy (longest option, 'false', tick everything, random "
        "order and matching) expects 50.0% on this day assessment, within 25 points of its pass mark (70%); it must "
        "stay below 45%. Rewrite the items so option length and true/false balance carry no signal"]
    exactly = quiz(*([tf("f", False)] * 9), *([tf("t", True)] * 11), pass_mark=70)             # 45.0%
    assert quiz_cues(exactly).fails
    below = quiz(*([tf("f", False)] * 4), *([tf("t", True)] * 6))                               # 40%
    assert not quiz_cues(below).fails
    assert not quiz_cues(quiz(tf("f", False), kind="knowledge-check")).fails   # knowledge checks never fail


def test_a_quiz_over_40_percent_longest_option_warns():
    cued = quiz(single("a", "a", "longest", "x"), single("b", "b", "x", "longest"),
                single("c", "a", "x", "longest"), tf("d", True), tf("e", True), tf("f", True), kind="knowledge-check",
                qid="stage-01")
    found = problems([cued])
    assert [str(p) for p in found] == ["quizzes/stage-01.yaml:12: warning: the key is the longest option in 67% of "
                                       "its 3 single-answer question(s); keep it at 40% or less"]
    two_of_five = quiz(single("a", "a", "longest", "x"), single("b", "b", "x", "longest"),
                       *[single(f"c{i}", "a", "x", "longest") for i in range(3)], kind="knowledge-check")
    assert not quiz_cues(two_of_five).warns


def test_overall_pools_every_quiz_and_the_table_has_a_row_per_quiz():
    one = quiz(single("a", "a", "longest", "x"), kind="knowledge-check", qid="k1")
    two = quiz(single("a", "b", "longest", "x"), single("b", "b", "longest", "x"), kind="knowledge-check", qid="k2")
    assert overall([quiz_cues(one), quiz_cues(two)]).longest_share == pytest.approx(1 / 3)
    rows = table([one, two])
    assert rows[0][:4] == ["Quiz", "Kind", "Single", "Longest=key"]
    assert [r[0] for r in rows[1:]] == ["k1", "k2", "all"]
    assert rows[1][3] == "100%" and rows[3][3] == "33%"
