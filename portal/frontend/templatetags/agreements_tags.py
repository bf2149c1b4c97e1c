"""Template helpers of the agreements area: money, units, status tags and the service page's budget panel."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from portal.marketplace.agreements.selectors import service_budget_panel as panel
from portal.marketplace.approvals.selectors import is_service_approved
from portal.platform.core.formats import format_number
from portal.platform.core.money import format_eur
from portal.tenants.access import current_municipality

register = template.Library()

STATUS_TAG_CLASSES = {
    "draft": "govuk-tag--grey", "awaiting_person": "govuk-tag--yellow", "awaiting_provider": "govuk-tag--yellow",
    "awaiting_municipality": "govuk-tag--orange", "active": "govuk-tag--green", "declined": "govuk-tag--red",
    "expired": "govuk-tag--grey", "cancelled": "govuk-tag--grey", "completed": "govuk-tag--blue",
}


@register.filter
def eur(amount):
    if amount in (None, ""):
        return "—"
    return format_eur(Decimal(amount), (get_language() or "lv")[:2])


@register.filter
def status_tag(status):
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")


@register.simple_tag
def units(amount, unit):
    """'36 hours' / '36 stundas', whole numbers without decimals."""
    amount = Decimal(amount or 0)
    text = format_number(amount)
    count = int(amount) if amount == amount.to_integral_value() else 2
    forms = {
        "hour": ngettext("%(n)s hour", "%(n)s hours", count),
        "session": ngettext("%(n)s session", "%(n)s sessions", count),
        "day": ngettext("%(n)s day", "%(n)s days", count),
        "course": ngettext("%(n)s course", "%(n)s courses", count),
    }
    return forms.get(unit, _("%(n)s units")) % {"n": text}


@register.inclusion_tag("agreements/_service_panel.html", takes_context=True)
def service_budget_panel(context, service):
    """"What this costs from my budget" and "Choose this service", for the person or their representative."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = []
    if current_municipality() is not None and user is not None and user.is_authenticated:
        rows = panel(user, service)
    approved = False
    if rows:
        approved = is_service_approved(service)
    return {"service": service, "rows": rows, "request": request, "approved": approved}
