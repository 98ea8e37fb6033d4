"""The limits every PDF is made within, without WeasyPrint (importing this costs nothing).

WeasyPrint lays out one document at a time per process (`RenderQueue`, a lock). A request does not
wait behind a long queue: with more than `max_waiting` documents already waiting for the lock it
gets PdfQueueFull (a 429 page with Retry-After) at once. Background jobs pass no limit and wait.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import DomainError


class PdfError(DomainError):
    """The document could not be made within its limits (pages, time); the message says which."""

    status_code = 422


class PdfQueueFull(DomainError):
    """Too many documents are already waiting to be laid out in this process."""

    status_code = 429
    retry_after = 60

    def __init__(self, message: str = "Many PDFs are being made right now. Please try again in a minute."):
        super().__init__(message)


class RenderQueue:
    """One document laid out at a time; at most `max_waiting` others wait (when a limit is given)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self.waiting = 0

    @contextmanager
    def turn(self, max_waiting: int | None = None) -> Iterator[None]:
        """Wait for this process's turn to lay out a document; refuse at once if the queue is full."""
        with self._count:
            if max_waiting is not None and self.waiting >= max_waiting and self._lock.locked():
                raise PdfQueueFull()
            self.waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._count:
                self.waiting -= 1
        try:
            yield
        finally:
            self._lock.release()
