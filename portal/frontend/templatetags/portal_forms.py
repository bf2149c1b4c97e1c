"""The one error summary (GOV.UK pattern) every form page shows at its top: each problem links to its field."""

from django import template

register = template.Library()


def _target(field) -> str:
    """The id the summary links to: the input itself, or the first option of a radio or checkbox group."""
    if field.is_hidden:
        return ""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _items_of(form, label=""):
    prefix = f"{label}: " if label else ""
    for error in form.non_field_errors():
        yield f"{prefix}{error}", ""
    for field in form:
        for error in field.errors:
            yield f"{prefix}{error}", _target(field)


@register.simple_tag
def error_items(form=None, also=None, formset=None, forms=None, message=None):
    """(text, field id or "") for every problem: ``message`` (a refusal not tied to a field), ``form``, ``also``,
    a ``formset`` (its own errors, then each form's) and ``forms`` (each may carry a ``summary_label``)."""
    items = [(str(message), "")] if message else []
    for each in (form, also):
        if hasattr(each, "non_field_errors"):
            items.extend(_items_of(each))
    if hasattr(formset, "non_form_errors"):
        items.extend((str(error), "") for error in formset.non_form_errors())
        for each in formset:
            items.extend(_items_of(each))
    for each in forms or ():
        items.extend(_items_of(each, getattr(each, "summary_label", "")))
    return items
