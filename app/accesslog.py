"""Link secrets stay out of access logs (issue 15, finding 4).

Reset and invitation links carry their secret in the path (`/reset/<token>`, `/invite/<token>`), and
every server logs the path of each request: uvicorn under gunicorn (`uvicorn.access`, app/serving.py),
gunicorn's own workers (`gunicorn.access`) and Flask's development server (`werkzeug`). A filter on
those loggers rewrites the token to `[redacted]` before any handler formats the line, whatever the
log format; the rest of the line (address, status, time) is kept.
"""
from __future__ import annotations

import logging
import re

ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access", "werkzeug")
# the path segment after /reset/ or /invite/, also percent-encoded inside a query (?next=%2Freset%2F…)
_TOKEN_PATH = re.compile(r"((?:/|%2F)(?:reset|invite|calendar)(?:/|%2F))[^/?&#\s\"'%]+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_link_tokens(text: str) -> str:
    """`text` with the secret of every reset, invitation or calendar feed path replaced."""
    return _TOKEN_PATH.sub(lambda m: m.group(1) + REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message and string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_link_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):  # gunicorn formats from its own mapping of atoms: edit it in place
            for key, value in list(record.args.items()):
                if isinstance(value, str):
                    record.args[key] = redact_link_tokens(value)
        return True


def install() -> None:
    """Add the filter to every access logger of this process, once."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
            logger.addFilter(RedactLinkTokens())
