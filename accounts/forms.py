from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality

from .models import User, supported_language


class ProfileFields(forms.ModelForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.published(),
        required=False,
        label=_("Partner municipality"),
        help_text=_("If you work for one of the program's partners."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "organisation", "municipality"]
        labels = {"first_name": _("First name"), "last_name": _("Last name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True


class ProfileSignupForm(ProfileFields):
    """The extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): allauth adds
    the email address and passwords, and calls `signup` once the user exists."""

    class Meta(ProfileFields.Meta):
        # The alerts are offered, off by default (the model's defaults), never assumed.
        fields = [*ProfileFields.Meta.fields, "alerts_reports", "alerts_press"]
        labels = {
            **ProfileFields.Meta.labels,
            "alerts_reports": _("Email me when a report is published"),
            "alerts_press": _("Email me when a press feature is published"),
        }
        help_texts = {
            "alerts_reports": "",
            "alerts_press": _(
                "One short email per publication, in your language. Each email has a link to "
                "stop them, and you can change this in your account at any time."
            ),
        }

    def signup(self, request, user):
        for field in self.Meta.fields:
            setattr(user, field, self.cleaned_data[field])
        # Emails to this person (alerts) use the language they signed up in.
        user.language = supported_language(translation.get_language())
        user.save()


class ProfileForm(ProfileFields):
    class Meta(ProfileFields.Meta):
        fields = [*ProfileFields.Meta.fields, "language", "time_zone"]
        error_messages = {
            "time_zone": {
                "invalid_choice": _(
                    "“%(value)s” is not a time zone we know: choose one from the list, for "
                    "example Asia/Phnom_Penh or America/Toronto."
                )
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the admin shows times in a person's own zone: members read the site's.
        if not self.instance.is_staff:
            del self.fields["time_zone"]


class AlertsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["alerts_reports", "alerts_press"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
