"""Top frames of a py-spy raw profile, by inclusive and by self time.

    .venv/bin/python bench/pyspy_top.py FILE.raw [--top 10] [--lines] [--markdown] [--match REGEX]

FILE.raw is what `py-spy record --format raw` writes (collapsed stacks: `frame;frame;... count`,
a frame being `function (file:line)`). A frame's inclusive share counts the samples whose stack
holds it (once per stack, however often it recurses); its self share counts the samples where it
is the innermost frame. Frames are grouped by function and file, without the line number, unless
`--lines`. Shares are of all samples in the file (busy threads only, as py-spy records them).
`--match app/` lists only the frames matching the pattern (still as shares of all samples).
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def frame_key(frame: str, lines: bool) -> str:
    frame = frame.strip()
    match = FRAME.match(frame)
    if match is None or lines:
        return frame
    return f"{match['name']} ({match['file']})"


def parse(text: str, lines: bool = False) -> tuple[int, Counter[str], Counter[str]]:
    """(total samples, inclusive counts, self counts) of a collapsed-stack text."""
    total, inclusive, own = 0, Counter[str](), Counter[str]()
    for raw in text.splitlines():
        stack, _, count_text = raw.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_key(f, lines) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += count
        for key in set(frames):
            inclusive[key] += count
        own[frames[-1]] += count
    return total, inclusive, own


def table(title: str, counts: Counter[str], total: int, top: int, markdown: bool) -> str:
    rows = counts.most_common(top)
    if markdown:
        out = [f"| {title} | samples | share |", "|---|---:|---:|"]
        out += [f"| `{key}` | {n} | {n / total:.0%} |" for key, n in rows]
    else:
        out = [f"{title}:"] + [f"  {n / total:6.1%} {n:>6}  {key}" for key, n in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--lines", action="store_true", help="keep line numbers (one row per line, not per function)")
    parser.add_argument("--markdown", action="store_true", help="Markdown tables (for BENCHMARKS.md)")
    parser.add_argument("--match", metavar="REGEX", help="only frames matching this pattern, e.g. app/")
    args = parser.parse_args(argv)
    total, inclusive, own = parse(args.raw.read_text(errors="replace"), args.lines)
    if args.match:
        keep = re.compile(args.match)
        inclusive = Counter({k: n for k, n in inclusive.items() if keep.search(k)})
        own = Counter({k: n for k, n in own.items() if keep.search(k)})
    if not total:
        sys.exit(f"{args.raw}: no samples")
    print(f"{args.raw.name}: {total} samples")
    print(table("inclusive", inclusive, total, args.top, args.markdown))
    print()
    print(table("self", own, total, args.top, args.markdown))


if __name__ == "__main__":
    main()
