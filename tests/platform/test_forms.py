"""The one helper that shows a service's refusal on a form: next to its field, under the form's own name for
it, or at the top when the form has no such field."""

from __future__ import annotations

from django import forms

from portal.frontend.forms import GovukFormMixin, apply_domain_error
from portal.platform.core.errors import ValidationFailed


class _Form(GovukFormMixin, forms.Form):
    on = forms.DateField(required=False)
    email = forms.EmailField(required=False)


def _form():
    form = _Form({})
    assert form.is_valid()
    return form


def test_refusal_lands_on_its_field_or_at_the_top():
    form = _form()
    apply_domain_error(form, ValidationFailed("Wrong e-mail.", field="email"))
    assert form.errors == {"email": ["Wrong e-mail."]}
    form = _form()
    apply_domain_error(form, ValidationFailed("Not here.", field="nonexistent"))
    apply_domain_error(form, ValidationFailed("Nor here."))
    assert form.non_field_errors() == ["Not here.", "Nor here."]


def test_refusal_lands_on_the_forms_name_for_the_field():
    form = _form()
    apply_domain_error(form, ValidationFailed("Ends before it starts.", field="valid_until"),
                       fields={"valid_until": "on"})
    assert form.errors == {"on": ["Ends before it starts."]}
    form = _form()  # a name the form does not have either: the service's own field, else the top
    apply_domain_error(form, ValidationFailed("Taken.", field="email"), fields={"email": "account_email"})
    assert form.errors == {"email": ["Taken."]}
