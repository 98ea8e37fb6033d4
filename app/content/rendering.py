"""Markdown → safe HTML. The only place lesson HTML is made; everything it returns is sanitised."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from app.content.lessons import lesson_url

EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "sane_lists", "smarty"]
EXTENSION_CONFIGS = {
    "toc": {"toc_depth": "2-4", "permalink": False},
    "smarty": {"smart_angled_quotes": False},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """Allow-list sanitising: no script, style, iframe, event handlers or javascript: URLs survive."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class LinkCheck:
    """Rewrites links to other lessons (`stage-03-x.md`, `../day-1/06-stage-03-x.md#part`) and
    records the ones that point nowhere."""

    resolve: Callable[[str], str | None]
    broken: list[str] = field(default_factory=list)


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_LESSON_LINK = re.compile(r"^(?:\.\./|\./)?(?:day-\d+/)?(?:\d\d-)?(?P<slug>[a-z0-9-]+)\.md(?P<fragment>#[\w-]+)?$")


class _LessonLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, check: LinkCheck):
        super().__init__(md)
        self.check = check

    def run(self, root: etree.Element) -> None:
        for element in root.iter("a"):
            href = element.get("href", "")
            if href.startswith("#") or _SCHEME.match(href):
                continue  # other sites; unsafe schemes such as javascript: are removed by sanitise()
            match = _LESSON_LINK.match(href)
            target = self.check.resolve(match["slug"]) if match else None
            if target is None or match is None:
                self.check.broken.append(href)
                continue
            element.set("href", target + (match["fragment"] or ""))


class _LessonLinkExtension(Extension):
    def __init__(self, check: LinkCheck):
        super().__init__()
        self.check = check

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # the name is Markdown's API
        md.treeprocessors.register(_LessonLinks(md, self.check), "lectern_lesson_links", 5)


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    broken_links: tuple[str, ...]


def render_markdown(text: str, *, resolve_lesson: Callable[[str], str | None]) -> Rendered:
    check = LinkCheck(resolve_lesson)
    md = markdown.Markdown(extensions=[*EXTENSIONS, _LessonLinkExtension(check)], extension_configs=EXTENSION_CONFIGS,
                           output_format="html")
    html = md.convert(text)
    headings = tuple(_flatten(getattr(md, "toc_tokens", [])))
    return Rendered(sanitise(html), headings, tuple(check.broken))


def _flatten(tokens: list[dict]) -> list[Heading]:
    out: list[Heading] = []
    for token in tokens:
        out.append(Heading(token["level"], _plain(token["name"]), token["id"]))
        out.extend(_flatten(token.get("children", [])))
    return out


_TAG = re.compile(r"<[^>]+>")


def _plain(html_text: str) -> str:
    import html as html_module

    return html_module.unescape(_TAG.sub("", html_text))


def plain_text(html_text: str) -> str:
    """Text of sanitised HTML, for search and word counts."""
    return re.sub(r"\s+", " ", _plain(html_text)).strip()


@lru_cache(maxsize=4096)
def render_fragment(text: str) -> Markup:
    """Markdown of a quiz prompt, option feedback or explanation, sanitised (cached by text)."""
    return Markup(render_markdown(text, resolve_lesson=lesson_url).html)  # noqa: S704 - render_markdown sanitises with nh3
