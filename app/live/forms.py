from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from app.web import HtmlForm


class AttendanceCorrectionForm(HtmlForm):
    minutes = IntegerField(
        "Minutes to count for this session",
        validators=[InputRequired(message="Give a number of minutes."),
                    NumberRange(min=0, message="Give a number of minutes from 0 up.")])
    # the upper limit depends on the session's length: attendance.credit checks it
    note = StringField(
        "Reason", validators=[InputRequired(message="Say why you are correcting the attendance."),
                              Length(max=300, message="Keep the reason under 300 characters.")])
