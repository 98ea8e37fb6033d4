"""The shipped quiz bank covers the course as the brief asks."""
from app.config import PROJECT_ROOT
from app.content.catalog import load_catalog


def test_quiz_bank_covers_every_stage_and_both_days():
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    for lesson in catalog.lessons:
        if lesson.stage:
            quiz = catalog.lesson_quiz(lesson.slug)
            assert quiz is not None and quiz.kind == "knowledge-check", lesson.slug
            assert lesson.quiz == quiz.id
    assessments = [q for q in catalog.quizzes if q.kind == "day-assessment"]
    assert sorted(q.day for q in assessments) == [1, 2]
    for quiz in assessments:
        assert quiz.feedback == "deferred" and quiz.time_limit_minutes and quiz.pass_mark > 0
        assert len(quiz.questions) >= 10
    questions = [q for quiz in catalog.quizzes for q in quiz.questions]
    assert len(questions) >= 120
    assert len({q.type for q in questions}) >= 5
    assert all(len(q.explanation.split()) >= 12 for q in questions), "explanations should teach, not just say 'correct'"
    assert catalog.quiz("opening-sessions") and catalog.quiz("roles-tools-fdi")


def test_the_facilitator_checklist_covers_every_stage_and_the_programme():
    catalog = load_catalog(PROJECT_ROOT / "curriculum", PROJECT_ROOT / "quizzes")
    checklist = catalog.checklist
    assert checklist is not None and len(checklist.items) >= 60
    stage_lessons = {lesson.slug for lesson in catalog.lessons if lesson.stage}
    assert stage_lessons <= {group.lesson for group in checklist.groups}
    programme = [g for g in checklist.groups if g.lesson == "key-elements-of-a-cluster-development-program"]
    assert len(programme) >= 6
    assert all(len(item.text.split()) <= 40 for item in checklist.items)
