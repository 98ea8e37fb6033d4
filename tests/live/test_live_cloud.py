"""Word clouds without Flask (issue 20): how typed terms are normalised and counted
(app/quizzes/types/word_cloud.py) and how the projector's cloud is laid out (app/live/cloud.py)."""
from itertools import combinations

import pytest

from app.live import cloud
from app.quizzes.types.word_cloud import as_terms, clean_term, count_terms, term_key


@pytest.mark.parametrize(("typed", "key"), [
    ("Agile", "agile"),
    ("  AGILE!!  ", "agile"),
    ("(agile),", "agile"),
    ("“Agile”.", "agile"),
    ("Équipe", "equipe"),
    ("equipe", "equipe"),
    ("  shared    goals ", "shared goals"),
    ("The shared goals", "shared goals"),
    ("trust and respect", "trust respect"),
    ("the", ""),
    ("of the and", ""),
    ("!!!", ""),
    ("", ""),
])
def test_english_terms_are_normalised_by_case_accents_spacing_punctuation_and_stop_words(typed, key):
    assert term_key(typed) == key


@pytest.mark.parametrize(("lang", "typed", "key"), [
    ("fr", "La confiance", "confiance"),
    ("fr", "l’écoute", "ecoute"),
    ("fr", "l'écoute", "ecoute"),
    ("fr", "très bien", "bien"),
    ("fr", "le la les", ""),
    ("de", "Das Vertrauen", "vertrauen"),
    ("de", "für die Gruppe", "gruppe"),
    ("en", "La confiance", "la confiance"),       # French stop words only for a French question
])
def test_each_language_has_its_own_stop_words(lang, typed, key):
    assert term_key(typed, lang) == key


def test_the_shown_form_keeps_accents_but_not_case_or_stop_words():
    assert clean_term("  The Équipe! ", "en") == "équipe"
    assert clean_term("L'Écoute", "fr") == "écoute"


def test_answers_are_one_to_three_short_texts():
    assert as_terms("agile") == ["agile"]
    assert as_terms(["a", "", "  b  ", "c", "d"]) == ["a", "b", "c"]
    assert as_terms(["x" * 100]) == ["x" * 40]
    assert as_terms(None) == [] and as_terms({"a": "b"}) == [] and as_terms([1, None]) == []


def test_a_person_naming_a_term_twice_counts_once_and_terms_sort_by_count_then_name():
    terms = count_terms([["Agile", "agile!", "Trust"], ["the trust"], ["Scrum"], ["the"]])
    assert [(t.key, t.count) for t in terms] == [("trust", 2), ("agile", 1), ("scrum", 1)]
    assert terms[0].label == "trust"


def test_the_label_is_the_commonest_way_people_wrote_it():
    terms = count_terms([["Équipe"], ["équipe"], ["equipe"]])
    assert len(terms) == 1 and terms[0].count == 3 and terms[0].label == "équipe"


# --- the layout --------------------------------------------------------------------------------

TERMS = [(f"term {i}", 30 - i) for i in range(30)] + [("a much longer phrase here", 3), ("x", 1)]


def test_no_two_words_overlap_and_all_stay_inside_the_canvas():
    result = cloud.layout(TERMS)
    assert len(result.words) + result.left_out == len(TERMS)
    assert len(result.words) >= 25
    for a, b in combinations(result.words, 2):
        assert not a.box.overlaps(b.box), (a.label, b.label)
    for word in result.words:
        assert word.box.inside(result.width, result.height)
        width, height = cloud.word_box(word.label, word.size)
        assert word.box.w >= width - 0.1 and word.box.h >= height - 0.1      # the box holds the text


def test_the_layout_is_deterministic_whatever_the_order_given():
    assert cloud.layout(TERMS) == cloud.layout(list(reversed(TERMS)))


def test_font_sizes_never_shrink_as_counts_grow_and_the_most_given_is_biggest_in_the_middle():
    result = cloud.layout(TERMS)
    ordered = sorted(result.words, key=lambda w: w.count)
    assert all(a.size <= b.size for a, b in zip(ordered, ordered[1:], strict=False))
    top = result.words[0]
    assert top.count == 30 and top.size == max(w.size for w in result.words)
    assert cloud.layout([("trust", 5), ("agile", 2)]).words[0].size == cloud.MAX_SIZE   # room enough: full size
    assert abs(top.cx - result.width / 2) < 1 and abs(top.cy - result.height / 2) < 1
    assert cloud.font_size(1, 1, 1) == cloud.MAX_SIZE            # all alike: all big
    assert cloud.font_size(1, 1, 9) == cloud.MIN_SIZE


def test_too_many_words_leave_the_least_given_out_and_say_how_many():
    result = cloud.layout([(f"w{i}", 100 - i) for i in range(60)])
    assert len(result.words) <= cloud.MAX_WORDS and result.left_out == 60 - len(result.words)
    assert {w.label for w in result.words} == {f"w{i}" for i in range(len(result.words))}


def test_nothing_to_place_gives_an_empty_cloud():
    assert cloud.layout([]).words == () and cloud.layout([("", 3), ("a", 0)]).words == ()


def test_a_word_wider_than_the_canvas_is_shrunk_or_left_out_never_drawn_outside():
    result = cloud.layout([("w" * 40, 5)], width=400, height=200)
    assert all(w.box.inside(400, 200) for w in result.words)
    assert len(result.words) + result.left_out == 1


def test_the_svg_escapes_what_people_typed(app):
    from flask import render_template_string

    layout = cloud.layout([('<script>alert("x")</script>', 2), ("a & b", 1)])
    with app.test_request_context():
        html = render_template_string('{% from "live/_cloud.html" import word_cloud %}{{ word_cloud(layout, 2) }}',
                                      layout=layout)
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert html.count("<text ") == 2
