"""Slide decks as 16:9 PDFs, built from scratch (no cache): Day 1, Day 2 and one lesson.

    .venv/bin/python bench/slides.py [--json PATH] [--lesson SLUG]

In this (fresh) process: the app with a throwaway instance folder, then app/slides/pdf.deck_pdf()
for each deck, timed from the call to the PDF bytes (deck built from the rendered catalog, HTML,
WeasyPrint layout, PDF written). The first build pays WeasyPrint's import and font set-up (about a
second), as the first download in a worker would; it is the Day 1 deck, the one with the budget.
Pages counted with pdfinfo when installed (they must equal the slides: a slide that overflowed its
page would add one).

Budget (issue 20): Day 1's deck PDF under 10 s.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import Figure, judged, machine_line, print_figures, write_json
from workbook import pages

BUDGET_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--lesson", default="stage-05-developing-the-clusters-vision")
    args = parser.parse_args()

    from app import create_app
    from app.content.catalog import catalog
    from app.slides import pdf as slides_pdf

    folder = Path(tempfile.mkdtemp(prefix="lectern-bench-slides-"))
    figures: list[Figure] = []
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db"})
        app.instance_path = str(folder)
        slides_pdf.clear_cache()
        with app.app_context():
            current = catalog()
            lesson = current.lesson(args.lesson)
            assert lesson is not None, args.lesson
            decks = [("Day 1 deck", lambda: slides_pdf.deck_of_day(current, 1)),
                     ("Day 2 deck", lambda: slides_pdf.deck_of_day(current, 2)),
                     (f"one lesson ({args.lesson})", lambda: slides_pdf.lesson_deck(current, lesson))]
            for name, make_deck in decks:
                started = time.perf_counter()
                deck = make_deck()
                made = slides_pdf.deck_pdf(deck, with_notes=False)
                seconds = time.perf_counter() - started
                count = pages(made.pdf, folder)
                assert made.rendered
                figures.append(judged(f"slides PDF, {name}, first build (no cache)", seconds, "s",
                                      f"{seconds:.2f} s ({len(deck)} slides, {count} pages, "
                                      f"{len(made.pdf) / 1e3:.0f} kB)", BUDGET_S, "under 10 s"))
                print(f"{name}: {seconds:.2f} s, {len(deck)} slides, {count} pages", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print_figures("slide decks", figures)
    print(f"machine: {machine_line()}")
    write_json(args.json, "slides", figures)


if __name__ == "__main__":
    main()
