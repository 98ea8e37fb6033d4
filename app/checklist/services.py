"""Saving a person's checklist: answers, notes and target dates, all in one unit of work."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import sqlalchemy as sa

from app.checklist.models import ChecklistEntry, ChecklistProfile
from app.checklist.state import EntryState, parse_answer
from app.content.checklist import Checklist
from app.db import write_transaction
from app.errors import InputRejected
from app.extensions import db
from app.text import unsafe_character

NOTE_MAX = 500
NAME_MAX = 160


def load(user_id: int) -> tuple[str, dict[str, EntryState]]:
    profile = db.session.get(ChecklistProfile, user_id)
    entries = {e.item_key: EntryState(e.state, e.note, e.target_on) for e in db.session.scalars(
        sa.select(ChecklistEntry).where(ChecklistEntry.user_id == user_id))}
    return (profile.initiative_name if profile else ""), entries


def parse_form(checklist: Checklist, form: Mapping[str, str]) -> tuple[str, dict[str, EntryState], dict[str, str]]:
    """The submitted checklist as plain values, plus a message per field that is wrong (pure)."""
    errors: dict[str, str] = {}
    name = " ".join(str(form.get("initiative_name", "")).split())
    if len(name) > NAME_MAX:
        errors["initiative_name"] = f"Use at most {NAME_MAX} characters."
    elif (found := unsafe_character(name)) is not None:
        errors["initiative_name"] = f"The name contains {found}; retype it without that character."
    entries = {}
    for item in checklist.items:
        note = str(form.get(f"note-{item.id}", "")).strip()
        if len(note) > NOTE_MAX:
            errors[f"note-{item.id}"] = f"Notes can be up to {NOTE_MAX} characters."
        elif (found := unsafe_character(note, multiline=True)) is not None:
            errors[f"note-{item.id}"] = f"The note contains {found}; retype it without that character."
        raw_date = str(form.get(f"date-{item.id}", "")).strip()
        target = None
        if raw_date:
            try:
                target = date.fromisoformat(raw_date)
            except ValueError:
                errors[f"date-{item.id}"] = "Use a date like 2027-03-31."
        entries[item.id] = EntryState(parse_answer(form.get(f"answer-{item.id}")), note[:NOTE_MAX * 2], target)
    return name, entries, errors


def save(user_id: int, checklist: Checklist, name: str, entries: Mapping[str, EntryState], *, now: datetime) -> None:
    if len(name) > NAME_MAX or any(len(e.note) > NOTE_MAX for e in entries.values()):
        raise InputRejected("Some fields are too long.")
    known = {item.id for item in checklist.items}
    with write_transaction(db.session):
        profile = db.session.get(ChecklistProfile, user_id)
        if profile is None:
            db.session.add(ChecklistProfile(user_id=user_id, initiative_name=name, updated_at=now))
        else:
            profile.initiative_name, profile.updated_at = name, now
        existing = {e.item_key: e for e in db.session.scalars(
            sa.select(ChecklistEntry).where(ChecklistEntry.user_id == user_id))}
        for key, state in entries.items():
            if key not in known:
                continue
            row = existing.get(key)
            if row is None and state.is_empty:
                continue
            if row is None:
                db.session.add(ChecklistEntry(user_id=user_id, item_key=key, state=state.answer, note=state.note,
                                              target_on=state.target_on, updated_at=now))
            elif (row.state, row.note, row.target_on) != (state.answer, state.note, state.target_on):
                row.state, row.note, row.target_on, row.updated_at = state.answer, state.note, state.target_on, now
