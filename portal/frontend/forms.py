"""Forms rendered with GOV.UK Frontend classes, hints and errors wired for screen readers."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from portal.platform.core.errors import DomainError

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormMixin:
    """Adds design-system classes and aria-describedby for hints and errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for kind, c in _WIDGET_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                ids = [widget.attrs.get("aria-describedby", ""), f"{self[name].auto_id}-error"]
                widget.attrs["aria-describedby"] = " ".join(i for i in ids if i)
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] += " govuk-input--error" if "govuk-input" in widget.attrs["class"] else ""


def apply_domain_error(form, error: DomainError, *, fields: dict[str, str] | None = None,
                       rows_field: str | None = None) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form.

    ``fields`` names the form's field where the service calls it differently (``{"user": "email"}``); a field
    the form does not have puts the message at the top. A batch refusal (bulk entry, CSV) shows each row's
    problem on its own, all in the error summary; ``rows_field`` puts them all on one field (the file).
    """
    for_rows = getattr(error, "row_errors", None)
    if for_rows:
        for row_error, line in zip(for_rows, error.lines):
            form.add_error(rows_field or _form_field(form, row_error.field, fields), line)
        return
    form.add_error(_form_field(form, error.field, fields), error.message)


def _form_field(form, name: str | None, fields: dict[str, str] | None) -> str | None:
    field = (fields or {}).get(name)
    if field not in form.fields:
        field = name if name in form.fields else None
    return field


class LoginForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("The e-mail address or password is not right. Check both and try again."),
        "inactive": _("This account is not active. Contact your social service."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class ResetForm(GovukFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(GovukFormMixin, SetPasswordForm):
    pass


class TwoFactorCodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_(
        "The 6-digit code your authenticator app shows now, or one of your recovery codes."))

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false",
                                                 "class": self.fields["code"].widget.attrs["class"]
                                                 + " govuk-input--width-10"})
        if not recovery:
            self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")


class SecurityKeyNameForm(GovukFormMixin, forms.Form):
    """The name of a new security key; the key itself is read by static/portal/webauthn.js."""

    name = forms.CharField(label=_("Name of the key"), max_length=64, help_text=_(
        "So you can tell your keys apart, for example “Blue key” or “Work laptop”."))


class SecurityKeyRemoveForm(GovukFormMixin, forms.Form):
    password = forms.CharField(label=_("Password"), max_length=200, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class RecoveryCodesRenewForm(TwoFactorCodeForm):
    """Sign in again on the spot before new recovery codes are made: the password, then a code from the app."""

    password = forms.CharField(label=_("Password"), max_length=200, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["password", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, recovery=False, **kwargs)
