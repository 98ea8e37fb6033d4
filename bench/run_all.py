#!/usr/bin/env python3
"""Run every benchmark and print one table: each figure against its budget (DESIGN.md section 4).

    .venv/bin/python bench/run_all.py [--only grid,pages,...] [--skip live] [--quick]
                                      [--markdown PATH] [--update-benchmarks] [--verbose]

Each benchmark runs in its own fresh process (`bench/<name>.py --json FILE`) one after another, so
none shares memory, caches or a CPU with another. Their figures come back as JSON
(bench/common.py: Figure), not parsed from the printed text. The table lists, for each figure,
what was measured, the budget and ok/OVER; indented rows are context without a budget of their own.

  --markdown PATH        also write the table as a Markdown section (date, machine, command, table)
  --update-benchmarks    put that section at the top of BENCHMARKS.md, replacing the previous
                         "Latest table (bench/run_all)" section; the per-issue sections stay
  --quick                shorter runs (fewer rounds and requests) to try the harness; not for the record

The machine is shared: the load average before and after the run is printed with the machine line,
and several benchmarks report CPU time next to wall time. Compare figures within one run.
Exit status: 0 when every benchmark ran (budgets missed included: the table is a measurement);
1 when any benchmark failed to measure (crashed, timed out, reported an error).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, machine_line

SECTION = "## Latest table (bench/run_all)"


@dataclass(frozen=True)
class Bench:
    name: str
    args: tuple[str, ...]
    quick: tuple[str, ...]
    timeout: float
    what: str


BENCHES = [
    Bench("grid", (), ("--runs", "10"), 300, "instructor grid, 200 trainees (Flask test client)"),
    Bench("certificates", (), ("--bulk", "100", "--naive", "3"), 300, "certificate PDFs: one warm, 500 in bulk"),
    Bench("live", ("--participants", "300,1000"), ("--participants", "100", "--rounds", "1", "--config", "sqlite"), 900,
          "live session, 300 and 1,000 participants, configs sqlite and redis-pg"),
    Bench("pages", (), ("--seconds", "2", "--rounds", "1"), 400, "lesson pages vs a trivial Flask app, 1 and 2 workers"),
    Bench("quiz", (), ("--seconds", "4",), 300, "quiz submission, 20 clients"),
    Bench("startup", (), ("--runs", "2", "--gunicorn-runs", "1"), 300, "start-up and idle memory"),
    Bench("workbook", (), (), 300, "course workbook, both editions, no cache"),
    Bench("interop", (), ("--runs", "10", "--participants", "300", "--rounds", "2", "--trainees", "60"), 300,
          "SCORM export, Open Badges, calendar feeds, xAPI on a poll's close, the mail tick"),
]


def calibrate() -> str:
    """A fixed pure-Python workload (best of 3), so that runs on a busier or quieter host can be
    put side by side: on an idle core of this machine kind it takes about what it says here."""
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i * i % 7
        best_wall, best_cpu = min(best_wall, time.perf_counter() - wall), min(best_cpu, time.process_time() - cpu)
    return f"calibration loop {best_wall * 1000:.0f} ms wall, {best_cpu * 1000:.0f} ms CPU (best of 3)"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run_one(bench: Bench, quick: bool, folder: Path, verbose: bool) -> tuple[dict | None, str, float]:
    """(JSON document or None, error text or "", seconds)."""
    out_json = folder / f"{bench.name}.json"
    log_path = folder / f"{bench.name}.log"
    command = [sys.executable, str(ROOT / "bench" / f"{bench.name}.py"), *(bench.quick if quick else bench.args),
               "--json", str(out_json)]
    started = time.monotonic()
    with open(log_path, "w") as log:
        try:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=True)
        except OSError as exc:
            return None, f"could not start: {exc}", time.monotonic() - started

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if verbose:
                    print(f"    {bench.name}| {line}", end="", flush=True)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            proc.wait(timeout=bench.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGINT)  # KeyboardInterrupt: its finally blocks stop its servers
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            reader.join(5)
            return None, f"timed out after {bench.timeout:.0f} s (log: {log_path})", time.monotonic() - started
        reader.join(10)
    seconds = time.monotonic() - started
    doc = None
    if out_json.exists():
        try:
            doc = json.loads(out_json.read_text())
        except ValueError as exc:
            return None, f"unreadable JSON: {exc}", seconds
    problems = []
    if proc.returncode != 0:
        problems.append(f"exit status {proc.returncode}")
    if doc is None:
        problems.append("no figures written")
    elif doc.get("errors"):
        problems += [str(e).splitlines()[0] for e in doc["errors"]]
    if problems:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        return doc, "; ".join(problems) + f"\n--- last lines of {log_path}:\n{tail}", seconds
    return doc, "", seconds


def verdict(figure: dict) -> str:
    return "" if figure.get("ok") is None else ("ok" if figure["ok"] else "OVER")


def text_table(rows: list[dict]) -> str:
    head = ("figure", "measured", "budget", "")
    cells = [(r["name"], r["shown"], r.get("budget") or "-" if r.get("ok") is not None else "", verdict(r)) for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(3)]
    lines = [f"{head[0]:<{widths[0]}} | {head[1]:<{widths[1]}} | {head[2]:<{widths[2]}} | ok/OVER",
             "-+-".join("-" * w for w in widths) + "-+--------"]
    lines += [f"{c[0]:<{widths[0]}} | {c[1]:<{widths[1]}} | {c[2]:<{widths[2]}} | {c[3]}".rstrip() for c in cells]
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| Figure | Measured | Budget | |", "|---|---|---|---|"]
    for r in rows:
        name = r["name"]
        name = f"&nbsp;&nbsp;↳ {name.strip()}" if name.startswith("  ") else name
        budget = (r.get("budget") or "-") if r.get("ok") is not None else ""
        mark = {"ok": "ok", "OVER": "**OVER**", "": ""}[verdict(r)]
        lines.append(f"| {esc(name)} | {esc(r['shown'])} | {esc(budget)} | {mark} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated benchmarks to run (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks to leave out")
    parser.add_argument("--quick", action="store_true", help="short runs to try the harness (not for the record)")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table as a Markdown section to PATH")
    parser.add_argument("--update-benchmarks", action="store_true",
                        help="replace the 'Latest table' section at the top of BENCHMARKS.md with this run's")
    parser.add_argument("--verbose", action="store_true", help="show each benchmark's own output as it runs")
    args = parser.parse_args()
    names = [b.name for b in BENCHES]
    wanted = [n.strip() for n in args.only.split(",")] if args.only else names
    skipped = {n.strip() for n in args.skip.split(",") if n.strip()}
    unknown = [n for n in [*wanted, *skipped] if n not in names]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(names)}")
    benches = [b for b in BENCHES if b.name in wanted and b.name not in skipped]

    command = " ".join([".venv/bin/python bench/run_all.py", *sys.argv[1:]])
    facts = machine()
    load_before = loadavg()
    calibration_before = calibrate()
    folder = Path(tempfile.mkdtemp(prefix="lectern-run-all-"))
    print(f"run_all: {len(benches)} benchmarks; logs and JSON in {folder}", flush=True)
    started = time.monotonic()
    rows: list[dict] = []
    failures: list[str] = []
    timings = []
    for bench in benches:
        print(f"  {bench.name:<13} {bench.what} ...", end="", flush=True)
        doc, error, seconds = run_one(bench, args.quick, folder, args.verbose)
        timings.append(f"{bench.name} {seconds:.0f} s")
        if doc:
            rows += doc["figures"]
        if error:
            failures.append(f"{bench.name}: {error}")
            print(f" ERROR after {seconds:.0f} s", flush=True)
        else:
            over = sum(1 for f in doc["figures"] if f.get("ok") is False)
            print(f" {seconds:.0f} s" + (f", {over} over budget" if over else ""), flush=True)
    whole = time.monotonic() - started
    load_after = loadavg()
    calibration_after = calibrate()

    judged = [r for r in rows if r.get("ok") is not None]
    missed = [r for r in judged if not r["ok"]]
    machine_text = (f"{machine_line(facts)}; load average {load_before} before, {load_after} after "
                    f"(1, 5, 15 min); {calibration_before} before, {calibration_after.split(' loop ')[1]} after")
    print()
    print(text_table(rows))
    print()
    print(f"budgets met: {len(judged) - len(missed)} of {len(judged)}"
          + (f"; OVER: {', '.join(r['name'].strip() for r in missed)}" if missed else ""))
    print(f"machine: {machine_text}")
    print(f"command: {command}" + ("   (--quick: not for the record)" if args.quick else ""))
    print(f"whole run {whole:.0f} s ({', '.join(timings)})")
    for failure in failures:
        print(f"\nERROR {failure}")

    section = "\n".join([
        SECTION, "",
        f"- Date: {facts['date']}",
        f"- Machine: {facts['nproc']} cores (nproc), {facts['cpu']}, Python {facts['python']}, {facts['system']}; "
        f"shared: load average {load_before} before the run, {load_after} after (1, 5, 15 min); "
        f"{calibration_before} before, {calibration_after.split(' loop ')[1]} after",
        f"- Command: `{command}` (whole run {whole / 60:.1f} min)", "",
        markdown_table(rows), "",
        f"Budgets met: {len(judged) - len(missed)} of {len(judged)}." + (" Errors: " + "; ".join(
            f.splitlines()[0] for f in failures) if failures else ""), "",
        "Wall-clock figures move with the load of this shared host; the CPU figures beside them move much less. "
        "↳ rows are context without a budget of their own.", ""])
    if args.markdown:
        Path(args.markdown).write_text(section)
    if args.update_benchmarks:
        update_benchmarks(section)
        print(f"\nBENCHMARKS.md: section '{SECTION[3:]}' replaced")
    sys.exit(1 if failures else 0)


def update_benchmarks(section: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Put `section` first after the title and introduction, replacing the previous one."""
    text = path.read_text()
    lines = text.splitlines()
    if SECTION in lines:
        begin = lines.index(SECTION)
        end = next((i for i in range(begin + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        begin = end = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    new = lines[:begin] + section.rstrip("\n").splitlines() + [""] + lines[end:]
    path.write_text("\n".join(new).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
