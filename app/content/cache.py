"""The rendered catalog kept on disk by content hash, so a restart over unchanged content does not
parse and render it again (issue 19: start-up from a cache). `flask content check` never uses it.

The key is a SHA-256 of everything the catalog is made from: each content file's path and bytes,
the source of the code that reads and renders them (app/content, the question types) and the
versions of the libraries that do (Python-Markdown, nh3, PyYAML, Pygments). Anything else changed
means another key. The file is a pickle written by this process into the instance folder, which
only the server writes (the workbook cache lives there too); a file that cannot be read is
ignored and replaced.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

CODE_DIRS = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "quizzes" / "types")
LIBRARIES = ("markdown", "nh3", "PyYAML", "Pygments")
CONTENT_SUFFIXES = (".md", ".yaml", ".yml")
KEEP = 3                                   # cached catalogs kept; older ones are removed


def content_key(*directories: Path | None) -> str:
    """The hash of the content files (paths and bytes), the code and the library versions."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    for code_dir in CODE_DIRS:
        for path in sorted(code_dir.glob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
    for directory in directories:
        if directory is None or not directory.exists():
            continue
        digest.update(str(directory.resolve()).encode())
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in CONTENT_SUFFIXES):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(directory)}:{len(data)}:".encode() + data)
    return digest.hexdigest()


def cached(folder: Path, key: str, build: Callable[[], T]) -> T:
    """What `build` returns, read from `folder/catalog-<key>.pickle` when it is there; otherwise
    built, then written there (atomically) for the next start. Errors reading or writing the cache
    are logged and never stop the build."""
    path = folder / f"catalog-{key}.pickle"
    try:
        with path.open("rb") as stored:
            return pickle.load(stored)  # noqa: S301 - written by this server into its own instance folder
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a damaged or stale cache file is rebuilt, never fatal
        log.warning("Content cache %s unreadable (%s); rendering the content again", path.name, exc)
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".catalog-", delete=False) as fresh:
            pickle.dump(value, fresh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fresh.name, path)
        _prune(folder, keep=path)
    except OSError as exc:
        log.warning("Content cache not written (%s)", exc)
    return value


def _prune(folder: Path, keep: Path) -> None:
    """Keep the newest KEEP cached catalogs (the one just written among them)."""
    files = sorted(folder.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)
