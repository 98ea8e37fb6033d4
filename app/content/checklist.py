"""The facilitator checklist (`curriculum/checklist.yaml`): groups of items, each traced to a lesson."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.content.problems import ContentProblem
from app.content.yamlsource import LineDict, LineList, load_mapping

ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    section: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ChecklistGroup:
    id: str
    title: str
    lesson: str
    items: tuple[ChecklistItem, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Checklist:
    title: str
    intro: str
    groups: tuple[ChecklistGroup, ...]
    path: str

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for group in self.groups for item in group.items)


def _id_ok(value: object) -> bool:
    return isinstance(value, str) and bool(value) and set(value) <= ID_CHARS and not value.startswith("-")


def parse_checklist(path: Path, display_path: str) -> tuple[Checklist | None, list[ContentProblem]]:
    if not path.exists():
        return None, []
    problems: list[ContentProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(display_path, line, message))

    data, found = load_mapping(path.read_bytes(), display_path, {"title", "intro", "groups"},
                               what="the checklist is a mapping with title, intro and groups")
    problems.extend(found)
    if data is None:
        return None, problems
    title, intro = data.get("title"), data.get("intro", "")
    if not isinstance(title, str) or not title.strip():
        problem(data.line_of("title"), "'title' must be non-empty text")
    groups_raw = data.get("groups")
    if not isinstance(groups_raw, LineList) or not groups_raw:
        problem(data.line_of("groups"), "'groups' must be a list")
        groups_raw = LineList()
    groups, seen_groups, seen_items = [], set(), set()
    for raw in groups_raw:
        if not isinstance(raw, LineDict):
            problem(groups_raw.line, "each group is a mapping with id, title, lesson and items")
            continue
        for key in sorted(set(raw) - {"id", "title", "lesson", "items"}):
            problem(raw.line_of(key), f"unknown key {key!r} in a group")
        gid = raw.get("id")
        if not _id_ok(gid) or gid in seen_groups:
            problem(raw.line_of("id"), f"group id {gid!r} must be unique lower-case words joined by hyphens")
        seen_groups.add(gid)
        if not isinstance(raw.get("title"), str) or not isinstance(raw.get("lesson"), str):
            problem(raw.line, "a group needs a 'title' and the 'lesson' it traces to")
            continue
        items = []
        items_raw = raw.get("items")
        if not isinstance(items_raw, LineList) or not items_raw:
            problem(raw.line_of("items"), f"group {gid!r} needs a list of items")
            items_raw = LineList()
        for item in items_raw:
            if not isinstance(item, LineDict) or not isinstance(item.get("text"), str) or not item["text"].strip():
                problem(getattr(item, "line", items_raw.line), "each item needs an id and a 'text'")
                continue
            for key in sorted(set(item) - {"id", "text", "section"}):
                problem(item.line_of(key), f"unknown key {key!r} in an item")
            iid = item.get("id")
            if not _id_ok(iid) or iid in seen_items:
                problem(item.line_of("id"), f"item id {iid!r} must be unique lower-case words joined by hyphens")
            seen_items.add(iid)
            section = item.get("section", "")
            items.append(ChecklistItem(str(iid), " ".join(item["text"].split()), str(section or ""), item.line))
        groups.append(ChecklistGroup(str(gid), raw["title"].strip(), raw["lesson"], tuple(items), raw.line))
    if problems:
        return None, problems
    return Checklist(str(title).strip(), " ".join(str(intro).split()), tuple(groups), display_path), []
