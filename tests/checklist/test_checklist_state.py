"""Checklist answers and progress (app/checklist/state.py): pure."""
from datetime import date

import pytest

from app.checklist.state import EntryState, GroupProgress, overall, overdue, parse_answer, progress
from app.content.checklist import Checklist, ChecklistGroup, ChecklistItem


def make_checklist() -> Checklist:
    def group(gid, *ids):
        return ChecklistGroup(id=gid, title=gid.title(), lesson="lesson",
                              items=tuple(ChecklistItem(id=i, text=i, section="") for i in ids))

    return Checklist(title="T", intro="I", groups=(group("a", "a1", "a2", "a3", "a4"), group("b", "b1")), path="x")


@pytest.mark.parametrize("raw, expected", [("yes", "yes"), ("partly", "partly"), ("no", "no"), ("unanswered", "unanswered"),
                                           (None, "unanswered"), ("", "unanswered"), ("YES", "unanswered"),
                                           ("1", "unanswered"), (["yes"], "unanswered")])
def test_parse_answer(raw, expected):
    assert parse_answer(raw) == expected


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError):
        EntryState("maybe")


def test_yes_counts_as_done_and_partly_is_counted_on_its_own():
    entries = {"a1": EntryState("yes"), "a2": EntryState("partly"), "a3": EntryState("no"), "b1": EntryState("partly")}
    groups = progress(make_checklist(), entries)
    assert groups["a"] == GroupProgress("a", done=1, partly=1, no=1, total=4)
    assert groups["a"].unanswered == 1 and groups["a"].percent == 25 and groups["a"].partly_percent == 25
    assert groups["a"].summary == "1 of 4 yes · 1 partly · 1 no"
    assert groups["b"].summary == "0 of 1 yes · 1 partly"
    assert overall(groups) == GroupProgress("all", done=1, partly=2, no=1, total=5)


def test_nothing_answered():
    groups = progress(make_checklist(), {})
    assert groups["a"].summary == "0 of 4 yes" and groups["a"].percent == 0 and groups["a"].unanswered == 4
    assert GroupProgress("x", 0, 0, 0, 0).percent == 0


def test_empty_means_no_answer_note_or_date():
    assert EntryState().is_empty and not EntryState("no").is_empty and not EntryState(note="n").is_empty
    assert not EntryState(target_on=date(2027, 1, 1)).is_empty


def test_overdue_is_anything_not_yes_past_its_date():
    past, future = date(2027, 1, 1), date(2027, 6, 1)
    entries = {"a1": EntryState("yes", target_on=past), "a2": EntryState("partly", target_on=past),
               "a3": EntryState("no", target_on=future), "a4": EntryState(target_on=past)}
    assert overdue(make_checklist(), entries, date(2027, 3, 1)) == ["a2", "a4"]
