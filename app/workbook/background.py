"""The workbook made before anyone asks, and what a request sees while it is being made.

- When: as a server process starts (app/serving.py, WORKBOOK_PREPARE_AT_START), when the content
  changes (the catalog's reload listener, installed by `install`), and when someone asks for an
  edition that is missing. Both editions are made; the one asked for first.
- Where: a daemon thread of the web process drives the build; WeasyPrint lays the book out in a
  child process at a lower CPU priority (app/pdf/lazy_render.py `render_pdf_apart`), so a build
  takes no one's turn in this process's render queue, does not slow its pages, and counts against
  no one's PDF_RENDER_LIMIT.
- One build per host: the builder holds an exclusive lock (flock) on
  `<instance>/cache/workbook-build.lock`; another worker that cannot take it leaves the build to
  the one holding it and serves the file once it is on disk. The system drops the lock if the
  builder's process dies, so a crash never leaves the workbook "being built" for ever.
- What is happening is written to `<instance>/cache/workbook-build.json` (edition, content hash,
  start, last duration, failure), read by every worker for the progress page.
- With WORKBOOK_BUILD = "inline" (tests) a request builds the missing edition itself and waits.
"""
from __future__ import annotations

import fcntl
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from app.content.catalog import Catalog, catalog
from app.pdf.cache import Made
from app.pdf.lazy_render import RenderStopped
from app.workbook.build import EDITIONS, cache_folder, cached_pdf, make_edition
from app.workbook.readiness import DEFAULT_SECONDS, Estimate, estimate, next_step

LOCK_FILE = "workbook-build.lock"
STATUS_FILE = "workbook-build.json"

_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


@dataclass(frozen=True)
class Waiting:
    """The edition is not ready: being built (with an estimate), or the last build failed."""
    failed: bool
    estimate: Estimate
    error: str = ""


def edition_or_wait(current: Catalog, edition: str) -> Made | Waiting:
    """The edition's PDF if it is ready; otherwise start a build if none is under way, and say how long."""
    pdf = cached_pdf(current, edition)
    if pdf is not None:
        return Made(pdf, rendered=False)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    step = _next_step(current)
    if step == "start":
        if app.config["WORKBOOK_BUILD"] == "inline":
            build_missing(app, first=edition)
            pdf = cached_pdf(current, edition)
            if pdf is not None:
                return Made(pdf, rendered=True)
            step = _next_step(current)      # it failed, or another process is making it
        else:
            start(app, first=edition)
    status = read_status()
    if status.get("edition") != edition and (pdf := cached_pdf(current, edition)) is not None:
        return Made(pdf, rendered=False)   # finished while we were looking
    if step == "failed":
        return Waiting(True, estimate(None, 0, None), str(status.get("error", "")))
    return Waiting(False, _estimate(status, current, edition))


def _next_step(current: Catalog) -> str:
    status = read_status()
    failed_at = status.get("failed_at") if status.get("content_hash") == current.content_hash else None
    return next_step(ready=False, building=is_building(), failed_at=failed_at, now=time.time())


def _estimate(status: dict[str, Any], current: Catalog, edition: str) -> Estimate:
    """From the start of the build under way and the last durations (the other edition's too, if it
    is being made first)."""
    seconds = status.get("seconds", {})
    expected = seconds.get(edition) or DEFAULT_SECONDS
    building = status.get("edition")
    if building not in (None, edition):
        expected += seconds.get(building) or DEFAULT_SECONDS
    started = status.get("started_at") if status.get("content_hash") == current.content_hash else None
    return estimate(started, time.time(), expected)


def start(app: Flask, first: str | None = None) -> None:
    """Build the missing editions in a thread of this process, unless it is already doing so."""
    global _thread
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=build_missing, args=(app, first), name="lectern-workbook", daemon=True)
        _thread.start()


def build_missing(app: Flask, first: str | None = None) -> bool:
    """Make every missing edition of the current content, unless another process on this host is
    making them (returns False then). Loops until the content it built is still the current one."""
    with app.app_context():
        folder = cache_folder()
        with host_lock(folder, wait=1.0) as mine:   # a moment: another worker may only be looking
            if not mine:
                return False
            while True:
                current = catalog()
                order = sorted(EDITIONS, key=lambda e: e != first)
                missing = [e for e in order if cached_pdf(current, e) is None]
                if not missing:
                    return True
                edition = missing[0]
                started = time.time()
                _write_status(folder, content_hash=current.content_hash, edition=edition, started_at=started,
                              failed_at=None, error="")
                try:
                    make_edition(current, edition)
                except RenderStopped:       # the process is stopping: not a failure; the next one builds
                    _write_status(folder, edition=None, started_at=None)
                    return False
                except Exception as exc:  # recorded for the progress page, retried later
                    app.logger.exception("The %s workbook could not be made", edition)
                    _write_status(folder, edition=None, started_at=None, failed_at=time.time(),
                                  error=str(exc)[:300] or type(exc).__name__)
                    return True
                took = round(time.time() - started, 1)
                seconds = {**read_status(folder).get("seconds", {}), edition: took}
                _write_status(folder, edition=None, started_at=None, seconds=seconds)
                app.logger.info("Workbook %s edition made in %.1f s", edition, took)


@contextmanager
def host_lock(folder: Path, wait: float = 0.0) -> Iterator[bool]:
    """Hold the host's workbook-build lock while inside, if no one else holds it within `wait`
    seconds (yields False then)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_building(folder: Path | None = None) -> bool:
    """Does some builder (any process on this host, this one included) hold the lock?"""
    folder = folder or cache_folder()
    if not (folder / LOCK_FILE).exists():
        return False
    with host_lock(folder) as free:
        return not free


def read_status(folder: Path | None = None) -> dict[str, Any]:
    try:
        data = json.loads(((folder or cache_folder()) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_status(folder: Path, **changes: Any) -> None:
    data = {**read_status(folder), **changes}
    temporary = folder / f"{STATUS_FILE}.{threading.get_ident()}.tmp"
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(folder / STATUS_FILE)


def prepare(app: Flask) -> None:
    """Start making the workbook ahead of any request (server start, content change), if configured."""
    if app.config.get("WORKBOOK_PREPARE_AT_START") and app.config.get("WORKBOOK_BUILD") != "inline":
        start(app)


def install(app: Flask) -> None:
    """Rebuild when the content changes (the catalog reloads it while serving)."""
    holder = app.extensions.get("lectern.catalog")
    if holder is not None:
        holder.listeners.append(lambda _new: prepare(app))
