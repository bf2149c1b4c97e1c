"""Template helpers of the search page: a facet option's result count, drawn without an include per option
(the page draws one for every checkbox, twice on an htmx swap)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def facet_count(option, oob=""):
    """``(3 results)`` beside a filter checkbox; ``"oob"`` marks it for htmx's out-of-band swap."""
    return format_html('<span id="count-{}" class="portal-search__count"{}>({}<span class="govuk-visually-hidden"> {}'
                       '</span>)</span>', option["id"], format_html(' hx-swap-oob="true"') if oob else "",
                       option["count"], _("results"))
