from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import DEFAULT_DAYS, MAX_DAYS, ReviewLink


class ReviewLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("Works for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
    )
    note = forms.CharField(
        label=_("For whom"),
        max_length=ReviewLink._meta.get_field("note").max_length,
        required=False,
        help_text=_("Optional, for staff only: for example, Chilliwack council staff."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, in the request's language (a lazy text formatted at import would not be).
        self.fields["days"].help_text = gettext(
            "From 1 to %(max)s days; you can revoke the link sooner."
        ) % {"max": MAX_DAYS}
