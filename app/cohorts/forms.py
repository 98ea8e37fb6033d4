from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from app.cohorts.models import Track
from app.web import HtmlForm, MaxLength, MultiCheckboxField, record_id


class CohortForm(HtmlForm):
    name = StringField("Cohort name", validators=[DataRequired(message="Give the cohort a name."), MaxLength(120)])
    track = SelectField("Track", choices=[SelectChoice(t.value, t.label) for t in Track], default=Track.SELF_STUDY.value)
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])
    instructors = MultiCheckboxField("Instructors", coerce=record_id, validate_choice=False)


class EnrolForm(HtmlForm):
    emails = TextAreaField("Trainees to add", validators=[DataRequired(message="Give at least one email address.")])


class ImportForm(HtmlForm):
    pass  # the file comes from request.files; the form carries the CSRF token
