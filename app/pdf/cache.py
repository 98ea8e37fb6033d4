"""Made PDFs kept in memory by a hash of what was laid out, least recently used first out.

In memory, not on disk: personal PDFs (a checklist's notes) leave no copies to clean up outside the
database, and a bounded dictionary needs no sweeping. Each process keeps its own (a few megabytes);
the workbook, the same for everyone and large, has its own disk cache (app/workbook/build.py).
Requests for a PDF that is being made wait for it instead of making it again.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Made:
    pdf: bytes
    rendered: bool     # False: served from the cache


def content_key(*parts: str) -> str:
    """The cache key of a document: SHA-256 of its HTML and stylesheet."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class PdfCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}

    def get(self, key: str) -> bytes | None:
        with self._lock:
            pdf = self._items.get(key)
            if pdf is not None:
                self._items.move_to_end(key)
            return pdf

    def put(self, key: str, pdf: bytes) -> None:
        if len(pdf) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self._size -= len(self._items.pop(key))
            self._items[key] = pdf
            self._size += len(pdf)
            while self._size > self.max_bytes:
                self._size -= len(self._items.popitem(last=False)[1])

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> Made:
        """The cached PDF, or `make()`'s (stored); one caller makes a given key at a time."""
        pdf = self.get(key)
        if pdf is not None:
            return Made(pdf, rendered=False)
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            pdf = self.get(key)
            if pdf is not None:
                return Made(pdf, rendered=False)
            try:
                pdf = make()
                self.put(key, pdf)
            finally:
                with self._lock:
                    self._making.pop(key, None)
            return Made(pdf, rendered=True)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0
