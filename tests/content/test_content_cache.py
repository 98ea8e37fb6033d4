"""The rendered catalog kept on disk by content hash (app/content/cache.py): a new process over
unchanged content reads it instead of rendering again; any change to the content makes a new key;
a damaged file is rebuilt; `flask content check` always renders everything."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from app import create_app
from app.content import cache as content_cache
from app.content import catalog as catalog_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def content(tmp_path):
    course, quizzes = tmp_path / "course", tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "mini-course", course)
    shutil.copytree(FIXTURES / "mini-quizzes", quizzes)
    return course, quizzes


@pytest.fixture
def renders(monkeypatch):
    """Counts the full loads (parse and render); the per-process memo is emptied first, as in a
    new process."""
    monkeypatch.setattr(catalog_module, "_LOADED", {})
    calls = []
    real = catalog_module.load_catalog

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog_module, "load_catalog", counting)
    monkeypatch.setattr("app.content.cli.load_catalog", counting)
    return calls


def start(content, cache_dir, database_uri, **extra):
    course, quizzes = content
    catalog_module._LOADED.clear()            # a new process
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course),
                      "QUIZZES_DIR": str(quizzes), "CONTENT_CACHE": True, "CONTENT_CACHE_DIR": str(cache_dir), **extra})
    with app.app_context():
        return catalog_module.catalog()


def test_a_restart_over_unchanged_content_reads_the_cache(content, tmp_path, renders, database_uri):
    cache_dir = tmp_path / "cache"
    first = start(content, cache_dir, database_uri)
    assert len(renders) == 1 and len(list(cache_dir.glob("catalog-*.pickle"))) == 1
    again = start(content, cache_dir, database_uri)
    assert len(renders) == 1                       # not rendered again
    assert again == first and again.lesson("opening").segments == first.lesson("opening").segments


def test_a_changed_file_code_or_library_version_makes_a_new_key(content, tmp_path, monkeypatch):
    course, quizzes = content
    before = content_cache.content_key(course, quizzes)
    assert content_cache.content_key(course, quizzes) == before               # stable
    lesson = next(course.rglob("*.md"))
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    edited = content_cache.content_key(course, quizzes)
    assert edited != before
    monkeypatch.setattr(content_cache, "LIBRARIES", (*content_cache.LIBRARIES, "Flask"))
    assert content_cache.content_key(course, quizzes) != edited


def test_an_edit_renders_again_and_the_new_text_is_served(content, tmp_path, renders, database_uri):
    cache_dir = tmp_path / "cache"
    start(content, cache_dir, database_uri)
    lesson = next(content[0].rglob("*01-opening.md"))
    lesson.write_text(lesson.read_text() + "\nA sentence added after the first start.\n")
    again = start(content, cache_dir, database_uri)
    assert len(renders) == 2
    assert any("A sentence added after the first start." in segment.html for segment in again.lesson("opening").segments)


def test_a_damaged_cache_file_is_rebuilt(content, tmp_path, renders, database_uri, caplog):
    cache_dir = tmp_path / "cache"
    start(content, cache_dir, database_uri)
    (stored,) = cache_dir.glob("catalog-*.pickle")
    stored.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="app.content.cache"):
        again = start(content, cache_dir, database_uri)
    assert len(renders) == 2 and again.lesson("opening") is not None
    assert "unreadable" in caplog.text
    assert stored.read_bytes() != b"not a pickle"


def test_only_the_newest_few_are_kept(tmp_path):
    for n in range(5):
        content_cache.cached(tmp_path, f"k{n}", lambda n=n: n)
    assert len(list(tmp_path.glob("catalog-*.pickle"))) == content_cache.KEEP


def test_content_check_renders_everything_even_with_a_cache(content, tmp_path, renders, database_uri):
    cache_dir = tmp_path / "cache"
    course, quizzes = content
    start(content, cache_dir, database_uri)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course),
                      "QUIZZES_DIR": str(quizzes), "CONTENT_CACHE_DIR": str(cache_dir)})
    before = len(renders)
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert len(renders) == before + 1
