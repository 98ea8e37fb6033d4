from wtforms import SelectMultipleField

from app.outbox import kinds
from app.web import HtmlForm, MultiCheckboxField


class PreferencesForm(HtmlForm):
    receive: SelectMultipleField = MultiCheckboxField("Send me these messages", choices=[])

    def __init__(self, *args: object, offered: tuple[kinds.MessageKind, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # built per form, so kinds added to the list (any with opt_out=True) appear without a change here
        self.receive.choices = [(k.name, f"{k.label} ({k.about})" if k.about else k.label)
                                for k in offered or kinds.optional_kinds()]
