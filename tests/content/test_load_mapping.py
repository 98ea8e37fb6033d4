"""app/content/yamlsource.py `load_mapping`: the one "YAML that must be a mapping, with known keys"
loader of the content parsers; every problem names the file and line."""
from __future__ import annotations

from app.content.problems import ContentProblem
from app.content.yamlsource import LineDict, load_mapping

KEYS = {"title", "intro", "groups"}
WHAT = "the checklist is a mapping with title, intro and groups"


def test_a_mapping_with_known_keys_has_no_problems():
    data, problems = load_mapping(b"title: T\nintro: hello\n", "checklist.yaml", KEYS, what=WHAT)
    assert problems == []
    assert isinstance(data, LineDict) and data["title"] == "T" and data.line_of("intro") == 2


def test_unknown_keys_are_reported_at_their_lines_and_the_mapping_is_still_returned():
    data, problems = load_mapping("title: T\ncolour: blue\nsize: 3\n", "checklist.yaml", KEYS, what=WHAT)
    assert data is not None and data["title"] == "T"
    assert [str(p) for p in problems] == [
        "checklist.yaml:2: unknown key 'colour' (allowed: groups, intro, title)",
        "checklist.yaml:3: unknown key 'size' (allowed: groups, intro, title)",
    ]


def test_keys_called_names_the_keys_in_messages():
    _data, problems = load_mapping("id: q\nshuffle: yes\n", "quizzes/q.yaml", {"id"}, what="a quiz", keys_called="quiz key")
    assert [str(p) for p in problems] == ["quizzes/q.yaml:2: unknown quiz key 'shuffle' (allowed: id)"]


def test_not_a_mapping_is_reported_with_what_the_file_should_be():
    data, problems = load_mapping("- a\n- b\n", "checklist.yaml", KEYS, what=WHAT)
    assert data is None and problems == [ContentProblem("checklist.yaml", 1, WHAT)]


def test_a_syntax_error_is_reported_where_the_parser_stopped():
    data, problems = load_mapping("title: T\nintro: [unclosed\n", "checklist.yaml", KEYS, what=WHAT)
    assert data is None and len(problems) == 1
    assert problems[0].path == "checklist.yaml" and problems[0].line >= 2 and "YAML" in problems[0].message


def test_a_repeated_key_is_a_problem_at_its_second_line():
    data, problems = load_mapping("title: T\nintro: a\ntitle: U\n", "checklist.yaml", KEYS, what=WHAT)
    assert data is None and [(p.line, "twice" in p.message) for p in problems] == [(3, True)]


def test_bytes_that_are_not_utf8_are_a_problem_not_a_crash():
    data, problems = load_mapping(b"title: \xff\n", "checklist.yaml", KEYS, what=WHAT)
    assert data is None and len(problems) == 1
    assert str(problems[0]).startswith("checklist.yaml:1: not UTF-8 text")


def test_front_matter_lines_count_from_first_line():
    front = "title: T\ncolour: blue\n"   # the front matter of a lesson starts on line 2, after '---'
    data, problems = load_mapping(front, "day-1/01-x.md", {"title"}, what="front matter must be a mapping",
                                  keys_called="front-matter key", first_line=2)
    assert data is not None and data.line_of("title") == 2
    assert [str(p) for p in problems] == ["day-1/01-x.md:3: unknown front-matter key 'colour' (allowed: title)"]
    _data, problems = load_mapping("just text", "day-1/01-x.md", {"title"}, what="front matter must be a mapping",
                                   first_line=2)
    assert [str(p) for p in problems] == ["day-1/01-x.md:2: front matter must be a mapping"]
