from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from app.live.rules import MAX_CREDIT_MINUTES
from app.web import HtmlForm


class AttendanceCorrectionForm(HtmlForm):
    minutes = IntegerField(
        "Minutes to count for this session",
        validators=[InputRequired(message="Give a number of minutes."),
                    NumberRange(min=0, max=MAX_CREDIT_MINUTES,
                                message=f"Give a number of minutes from 0 to {MAX_CREDIT_MINUTES}.")])
    note = StringField(
        "Reason", validators=[InputRequired(message="Say why you are correcting the attendance."),
                              Length(max=300, message="Keep the reason under 300 characters.")])
