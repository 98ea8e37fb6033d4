"""Checking a people CSV (email, name, role, cohort) row by row. Pure: no database, no Flask."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from app.text import unsafe_character

ROLES = ("trainee", "instructor", "admin")
REQUIRED_COLUMNS = ("email", "name")
KNOWN_COLUMNS = ("email", "name", "role", "cohort")


@dataclass(frozen=True)
class PersonRow:
    line: int
    email: str
    name: str
    roles: tuple[str, ...]
    cohort: str | None            # the cohort's exact name, as stored
    existing_user_id: int | None  # an account that already exists: enrol it, create nothing


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Checked:
    rows: list[PersonRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def check_csv(text: str, *, existing: Mapping[str, int], cohorts: Mapping[str, str],
              progress: Callable[[int, int], None] | None = None) -> Checked:
    """existing: lower-case email → user id; cohorts: lower-case name → exact name."""
    result = Checked()
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.problems.append(RowProblem(1, "the file is empty"))
        return result
    except csv.Error as exc:
        result.problems.append(RowProblem(1, f"not readable as CSV ({exc})"))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in KNOWN_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(unknown))
        result.problems.append(RowProblem(1, "; ".join(parts) + f" (the header must be: {', '.join(KNOWN_COLUMNS)})"))
        return result
    index = {name: header.index(name) for name in KNOWN_COLUMNS if name in header}
    seen: dict[str, int] = {}
    rows = list(_numbered(reader, result))
    for position, (line, values) in enumerate(rows, start=1):
        if progress and position % 200 == 0:
            progress(position, len(rows))
        if not any(v.strip() for v in values):
            continue
        problems = _check_row(line, values, index, existing, cohorts, seen, result)
        result.problems.extend(problems)
    if not result.rows and not result.problems:
        result.problems.append(RowProblem(2, "the file has a header but no people"))
    return result


def _delimiter(text: str) -> str:
    """Spreadsheets in many European locales save "CSV" with semicolons, and some with tabs: the
    header line says which (a header has no quoted commas)."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    if ";" in header:
        return ";"
    return "\t" if "\t" in header else ","


def _numbered(reader: Iterable[list[str]], result: Checked) -> Iterator[tuple[int, list[str]]]:
    line = 1
    iterator = iter(reader)
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            line += 1
            result.problems.append(RowProblem(line, f"not readable as CSV ({exc})"))
            return
        line = getattr(reader, "line_num", line + 1)
        yield line, values


def _check_row(line: int, values: list[str], index: Mapping[str, int], existing: Mapping[str, int],
               cohorts: Mapping[str, str], seen: dict[str, int], result: Checked) -> list[RowProblem]:
    def cell(name: str) -> str:
        i = index.get(name)
        return values[i].strip() if i is not None and i < len(values) else ""

    problems: list[RowProblem] = []
    raw_email, name, raw_role, raw_cohort = cell("email"), " ".join(cell("name").split()), cell("role"), cell("cohort")
    email = ""
    try:
        email = validate_email(raw_email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems.append(RowProblem(line, f"bad email {raw_email!r}"))
    if email:
        if email in seen:
            problems.append(RowProblem(line, f"duplicate: {email} is already on line {seen[email]}"))
        else:
            seen[email] = line
    if not name:
        problems.append(RowProblem(line, "the name is empty"))
    elif len(name) > 120:
        problems.append(RowProblem(line, "the name is longer than 120 characters"))
    elif (found := unsafe_character(name)) is not None:
        problems.append(RowProblem(line, f"the name contains {found}"))
    roles = tuple(sorted({r.strip().lower() for r in (raw_role or "trainee").replace(",", ";").split(";") if r.strip()}))
    bad_roles = [r for r in roles if r not in ROLES]
    if bad_roles or not roles:
        problems.append(RowProblem(line, f"unknown role {raw_role!r} (use trainee, instructor or admin; "
                                         "several separated by ';')"))
    cohort = None
    if raw_cohort:
        cohort = cohorts.get(raw_cohort.lower())
        if cohort is None:
            problems.append(RowProblem(line, f"unknown cohort {raw_cohort!r}"))
    existing_id = existing.get(email) if email else None
    if existing_id is not None and not raw_cohort:
        problems.append(RowProblem(line, f"duplicate: {email} already has an account (give a cohort to enrol them)"))
    if not problems:
        result.rows.append(PersonRow(line, email, name, roles, cohort, existing_id))
    return problems
