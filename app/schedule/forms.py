from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import Optional

from app.schedule.times import MAX_LINK, MAX_PLACE, zone_groups
from app.web import HtmlForm, MaxLength


def zone_choices(blank: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The zones as a select's option groups (region → names); `blank` adds a first "no choice" option."""
    groups: dict[str, list[tuple[str, str]]] = {}
    if blank is not None:
        groups[""] = [("", blank)]
    for region, names in zone_groups():
        groups[region] = [(n, n.replace("_", " ")) for n in names]
    return groups


class EntryForm(HtmlForm):
    """One scheduled course day; the service checks it (times.problems) and names the fields."""
    day = SelectField("Course day", coerce=int, validate_choice=False)
    on_date = DateField("Date", validators=[Optional()])
    starts = TimeField("Starts at", validators=[Optional()])
    ends = TimeField("Ends at", validators=[Optional()])
    zone_name = SelectField("Time zone", validate_choice=False)
    place = StringField("Place", validators=[MaxLength(MAX_PLACE)])
    link = StringField("Online link", validators=[MaxLength(MAX_LINK)])


class CohortZoneForm(HtmlForm):
    zone_name = SelectField("Time zone", validate_choice=False)


class ReaderZoneForm(HtmlForm):
    zone_name = SelectField("Show times in", validate_choice=False)


class PlainForm(HtmlForm):
    pass  # the CSRF token of a one-button form
