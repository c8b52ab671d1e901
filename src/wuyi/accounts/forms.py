from django import forms
from django.utils.translation import gettext_lazy as _

from wuyi.accounts.services import TOKEN_NAME_MAX_LENGTH, USERNAME_MAX_LENGTH
from wuyi.errors import DomainError


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name or mobile number"), max_length=USERNAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignupForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "autofocus": True}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not your mobile number."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name (the device or program it is for)"), max_length=TOKEN_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. east gate tablet")}),
    )


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form, next to the field it names when the form has it."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
