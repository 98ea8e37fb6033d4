"""The full-course workbook PDF, both editions, built from scratch (no cache), and the memory it takes.

    .venv/bin/python bench/workbook.py [--json PATH]

In this (fresh) process: the app with a throwaway instance folder, so neither the in-memory nor
the on-disk cache (instance/cache/) holds a workbook; then app/workbook/build.workbook_pdf() for the
trainee edition and the instructor edition, each timed from the call to the PDF bytes (HTML from the
rendered catalog, WeasyPrint layout with the real page numbers in the contents, PDF written). A
second call of each is timed too (the cached download). Pages counted with pdfinfo when installed.
Peak resident memory of the process before and after the builds is what a gunicorn worker would
reach when it builds the workbook on a download.

Budget (DESIGN.md section 4): full-course workbook PDF under 10 s; resident memory per worker
under 250 MB.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import Figure, judged, machine_line, print_figures, write_json

BUDGET_S = 10.0
RSS_BUDGET_MB = 250.0


def memory() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM:", "VmRSS:")):
            out[line[:5]] = int(line.split()[1]) / 1024
    return out


def pages(pdf: bytes, folder: Path) -> int:
    if shutil.which("pdfinfo"):
        path = folder / "count.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        if match:
            return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the workbook renders in a child process)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()

    from app import create_app
    from app.content.catalog import catalog
    from app.workbook import build

    folder = Path(tempfile.mkdtemp(prefix="lectern-bench-workbook-"))
    figures: list[Figure] = []
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db"})
        app.instance_path = str(folder)  # no workbook cached on disk
        build._cache.clear()
        before = memory()
        with app.app_context():
            for edition in build.EDITIONS:
                started, cpu = time.perf_counter(), cpu_with_children()
                made = build.workbook_pdf(catalog(), edition)
                pdf = made.pdf
                seconds, cpu = time.perf_counter() - started, cpu_with_children() - cpu
                started = time.perf_counter()
                again = build.workbook_pdf(catalog(), edition)
                cached = time.perf_counter() - started
                assert made.rendered and not again.rendered and again.pdf == pdf
                figures.append(judged(f"workbook PDF, {edition} edition, first build (no cache)", seconds, "s",
                                      f"{seconds:.1f} s (CPU {cpu:.1f} s; {pages(pdf, folder)} pages, "
                                      f"{len(pdf) / 1e6:.1f} MB; cached {cached * 1000:.2f} ms)", BUDGET_S, "under 10 s"))
        after = memory()
        figures.append(judged("resident memory of a process after building the workbook", after["VmHWM"], "MB",
                              f"peak {after['VmHWM']:.0f} MB (from {before['VmRSS']:.0f} MB; {after['VmRSS']:.0f} MB after)",
                              RSS_BUDGET_MB, "under 250 MB",
                              note="what a gunicorn worker reaches when it builds the workbook on a download"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print_figures("course workbook", figures)
    print(f"machine: {machine_line()}")
    write_json(args.json, "workbook", figures)


if __name__ == "__main__":
    main()
