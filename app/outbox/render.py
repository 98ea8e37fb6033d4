"""Mail bodies from templates: each kind's one template is rendered twice, as HTML (autoescaped,
its stylesheet then inlined into style attributes by css-inline, since mail programs drop <style>)
and as plain text (the same blocks through text macros). No Flask here: the caller passes the
organisation's name and absolute links."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.outbox.kinds import MessageKind

TEMPLATES = Path(__file__).parent / "templates" / "outbox" / "mail"


def long_date(value: date | None) -> str | None:
    """A date as mails write it: "Monday 1 March 2027" (None stays None)."""
    return f"{value:%A} {value.day} {value:%B %Y}" if value else None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    # the plain-text part is not HTML: escaping it would show "&lt;" to readers; the HTML part escapes
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=html,  # noqa: S701
                       undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render(message_kind: MessageKind, context: dict[str, Any], *, org: str,
           unsubscribe_url: str | None = None, preferences_url: str | None = None) -> Rendered:
    """Subject, plain text and HTML of one message. `context` holds plain values and absolute URLs.
    With `unsubscribe_url` (kinds people may refuse, sent to an account) the footer says how to stop
    this kind of message, and where to choose the others (`preferences_url`)."""
    values = {**context, "org": org, "kind_label": message_kind.label,
              "unsubscribe_url": unsubscribe_url if message_kind.opt_out else None,
              "preferences_url": preferences_url if message_kind.opt_out and unsubscribe_url else None}
    text_template = _environment(False).get_template(message_kind.template)
    subject = " ".join("".join(text_template.blocks["subject"](text_template.new_context(
        {**values, "format": "text"}))).split())
    text = _tidy_text(text_template.render(**values, format="text", subject=subject))
    html_template = _environment(True).get_template(message_kind.template)
    html = css_inline.inline(html_template.render(**values, format="html", subject=subject))
    return Rendered(subject, text, html)
