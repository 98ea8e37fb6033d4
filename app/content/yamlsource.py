"""YAML loading that remembers line numbers, so content errors can say `file:line`."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

import yaml

from app.content.problems import ContentProblem


class LineDict(dict[str, Any]):
    """A YAML mapping with the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0


# libyaml's parser (C) when PyYAML was built with it, as the wheels are: the same documents and
# marks, several times faster than the pure-Python one, which stays the fallback.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
# Keep dates and times as the strings the author wrote ("09:00" must not become 540 minutes).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:timestamp",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def load_yaml(text: str, *, first_line: int = 1) -> Any:
    """Parse YAML; raises YamlSyntaxError carrying the 1-based line of the problem."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        raise YamlSyntaxError(line, f"YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(first_line, f"YAML: {exc}") from None
    _shift(data, first_line - 1)
    return data


def load_mapping(source: str | bytes, display_path: str, allowed_keys: Collection[str], *, what: str,
                 keys_called: str = "key", first_line: int = 1) -> tuple[LineDict | None, list[ContentProblem]]:
    """A content file's YAML that must be one mapping (a whole file, or front matter starting at `first_line`).

    `source` is the file's bytes (decoded as UTF-8) or its text; `display_path` is how problems name
    the file; `allowed_keys` are the top-level keys it may have; `what` is the sentence saying what
    the file should be when it is not a mapping ("the checklist is a mapping with title, intro and
    groups"); `keys_called` names its keys in messages ("quiz key", "front-matter key").

    Returns the mapping (None if there is none to check further) and the problems, each with the
    file and line: not UTF-8 text, a YAML syntax error where the parser stopped, not a mapping, and
    one "unknown <keys_called> 'x' (allowed: …)" per unknown key at that key's line. Unknown keys do
    not stop the caller from checking the rest."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [ContentProblem(display_path, first_line, f"not UTF-8 text ({exc.reason})")]
    try:
        data = load_yaml(source, first_line=first_line)
    except YamlSyntaxError as exc:
        return None, [ContentProblem(display_path, exc.line, str(exc))]
    if not isinstance(data, LineDict):
        return None, [ContentProblem(display_path, first_line, what)]
    allowed = ", ".join(sorted(allowed_keys))
    return data, [ContentProblem(display_path, data.line_of(key), f"unknown {keys_called} {key!r} (allowed: {allowed})")
                  for key in sorted(set(data) - set(allowed_keys))]


def _shift(value: Any, by: int) -> None:
    if not by:
        return
    if isinstance(value, LineDict):
        value.line += by
        value.key_lines = {k: v + by for k, v in value.key_lines.items()}
        for child in value.values():
            _shift(child, by)
    elif isinstance(value, LineList):
        value.line += by
        for child in value:
            _shift(child, by)
