"""Stratified draws (`draw: N`): one question per stage the pool covers, then the rest at random."""
import random
from collections import Counter

import pytest

from app.content.quizzes import Question
from app.quizzes.drawing import draw_questions, expected_counts, strata
from app.quizzes.types.numeric import NumericBody


def q(qid: str, lesson: str | None) -> Question:
    return Question(id=qid, type="numeric", prompt="", points=1.0, explanation="", body=NumericBody(1.0),
                    assesses=(f"{lesson}#1",) if lesson else ())


POOL = [q("a1", "stage-a"), q("a2", "stage-a"), q("a3", "stage-a"), q("a4", "stage-a"),
        q("b1", "stage-b"), q("c1", "stage-c"), q("c2", "stage-c"), q("x1", None)]


def test_strata_group_by_main_lesson_in_pool_order_and_leave_untagged_out():
    groups = strata(POOL)
    assert list(groups) == ["stage-a", "stage-b", "stage-c"]
    assert [x.id for x in groups["stage-a"]] == ["a1", "a2", "a3", "a4"]


@pytest.mark.parametrize("seed", range(40))
def test_every_draw_covers_every_stage_and_keeps_pool_order(seed):
    drawn = draw_questions(POOL, 4, random.Random(seed))
    assert len(drawn) == 4 and len({x.id for x in drawn}) == 4
    assert {x.main_lesson for x in drawn} >= {"stage-a", "stage-b", "stage-c"}
    assert drawn == sorted(drawn, key=POOL.index)


def test_the_rest_is_random_so_attempts_differ():
    sets = {frozenset(x.id for x in draw_questions(POOL, 4, random.Random(seed))) for seed in range(50)}
    assert len(sets) > 5


def test_a_draw_avoids_repeating_an_earlier_attempts_set():
    first = frozenset(x.id for x in draw_questions(POOL, 4, random.Random(1)))
    for seed in range(30):
        assert frozenset(x.id for x in draw_questions(POOL, 4, random.Random(seed), avoid=[first])) != first


def test_a_draw_smaller_than_the_stages_takes_distinct_stages():
    drawn = draw_questions(POOL, 2, random.Random(3))
    assert len({x.main_lesson for x in drawn}) == 2


def test_a_pool_with_only_one_possible_set_gives_it_again():
    pool = [q("a", "s1"), q("b", "s2")]
    assert [x.id for x in draw_questions(pool, 2, random.Random(0), avoid=[frozenset({"a", "b"})])] == ["a", "b"]


def test_expected_counts_match_simulation():
    expected = expected_counts(POOL, 5)
    # one from each of the 3 stages, then 2 of the 5 remaining questions (3 from a, 1 from c, x1)
    assert expected == pytest.approx({"stage-a": 1 + 2 * 3 / 5, "stage-b": 1.0, "stage-c": 1 + 2 * 1 / 5})
    rng, counts, runs = random.Random(7), Counter(), 4000
    for _ in range(runs):
        counts.update(x.main_lesson for x in draw_questions(POOL, 5, rng))
    for lesson, mean in expected.items():
        assert counts[lesson] / runs == pytest.approx(mean, abs=0.08)
    assert expected_counts(POOL, 2) == pytest.approx({"stage-a": 2 / 3, "stage-b": 2 / 3, "stage-c": 2 / 3})
