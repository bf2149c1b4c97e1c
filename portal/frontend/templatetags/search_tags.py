"""Template helpers of the search page, drawn in Python rather than by an include or a widget template per
item: the page draws a count for every filter checkbox (twice on an htmx swap), a price for every result and
two selects, and each include cost more than the search itself (docs/subsystems/search.md, "Page cost")."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.platform.core.formats import format_number

register = template.Library()


@register.filter
def facet_count(option, oob=""):
    """``(3 results)`` beside a filter checkbox; ``"oob"`` marks it for htmx's out-of-band swap."""
    return format_html('<span id="count-{}" class="portal-search__count"{}>({}<span class="govuk-visually-hidden"> {}'
                       '</span>)</span>', option["id"], format_html(' hx-swap-oob="true"') if oob else "",
                       option["count"], _("results"))


@register.filter
def facet_checkboxes(group):
    """A filter fieldset's checkboxes, each with its result count."""
    return mark_safe("".join(
        format_html('<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{}" name="{}" '
                    'type="checkbox" value="{}"{}><label class="govuk-label govuk-checkboxes__label" for="{}">{} {}'
                    '</label></div>\n', option["id"], group["name"], option["value"],
                    format_html(" checked") if option["checked"] else "", option["id"], option["label"],
                    facet_count(option))
        for option in group["options"]))


@register.simple_tag
def select_field(field):
    """A select filter (sort, distance from) drawn in Python: the same markup as ``includes/field.html`` with
    Django's widget templates, without their ~20 template renders per select on every search."""
    errors = [format_html('<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}'
                          '</span> {}</p>', field.auto_id, _("Error:"), error) for error in field.errors]
    current = str(field.value() or "")
    options = [format_html('<option value="{}"{}>{}</option>', value, format_html(" selected") if str(value) == current
                           else "", label) for value, label in field.field.choices]
    described = f' aria-describedby="{field.auto_id}-error" aria-invalid="true"' if errors else ""
    return format_html(
        '<div class="govuk-form-group{}">\n  <label class="govuk-label" for="{}">{}</label>\n  {}'
        '<select class="govuk-select{}" name="{}" id="{}"{}>{}</select>\n</div>',
        " govuk-form-group--error" if errors else "", field.id_for_label, field.label, mark_safe("".join(errors)),
        " govuk-select--error" if errors else "", field.html_name, field.auto_id, mark_safe(described),
        mark_safe("".join(options)))


@register.filter
def hit_price(hit):
    """A result's price per unit, and how it stands against the municipality's cap (drawn once per result)."""
    units = {"hour": pgettext("price per", "hour"), "session": pgettext("price per", "session"),
             "day": pgettext("price per", "day")}
    # Translations are trusted text, as in a template's blocktranslate; only the numbers are interpolated.
    text = format_html("{}{}", mark_safe(_("%(price)s € per ") % {"price": escape(format_number(hit.unit_price, decimals=2))}),
                       units.get(hit.unit) or pgettext("price per", "course"))
    if hit.over_cap:
        return format_html('{}<br><strong class="govuk-tag govuk-tag--yellow">{}</strong> {}', text,
                           _("Above the price cap"),
                           mark_safe(_("The cap is %(cap)s €; the price is %(diff)s € a unit more.")
                                     % {"diff": escape(format_number(hit.over_cap, decimals=2)), "cap": escape(format_number(hit.cap, decimals=2))}))
    if hit.cap is not None:
        return format_html('{}<br><span class="govuk-body-s">{}</span>', text,
                           mark_safe(_("Within the cap of %(cap)s €") % {"cap": escape(format_number(hit.cap, decimals=2))}))
    return text
