"""The immutable in-memory catalog of course content, loaded once at start-up."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from app.content.course import Course, load_course
from app.content.problems import ContentInvalid, ContentProblem


@dataclass(frozen=True)
class Catalog:
    course: Course


def load_catalog(curriculum_dir: str | Path) -> Catalog:
    """Read and validate the content; raises ContentInvalid listing every problem."""
    root = Path(curriculum_dir)
    problems: list[ContentProblem] = []
    course_path = root / "course.yaml"
    course, found = load_course(course_path, _display(course_path))
    problems.extend(found)
    if problems or course is None:
        raise ContentInvalid(problems)
    return Catalog(course=course)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def install_catalog(app: Flask) -> None:
    """Load the content for this app; a broken catalog stops start-up with file:line messages."""
    app.extensions["lectern.catalog"] = load_catalog(app.config["CURRICULUM_DIR"])


def catalog() -> Catalog:
    return current_app.extensions["lectern.catalog"]
