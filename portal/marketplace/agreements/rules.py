"""The municipality's rules for agreements (administrator only)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from portal.platform.core.models import audit
from portal.platform.core.money import to_money
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import Role

from .errors import AgreementInvalid, NotAllowed
from .models import MunicipalRules

UNCHANGED = object()


def municipal_rules_update(*, actor, provider_response_days: int, approval_service_types: list[str],
                           approval_above_amount, cancellation_notice_hours: int,
                           short_notice_billable_units, invoice_approval_days: int,
                           respite_days_per_year=UNCHANGED) -> MunicipalRules:
    """The municipality administrator sets the rules for agreements.

    ``respite_days_per_year``: respite-care days a person may have in a calendar year, 1–366, or None for
    no limit; left out, it stays as it is.
    """
    if Role.MUNICIPALITY_ADMIN not in roles_for(actor, current_municipality()):
        raise NotAllowed(_("Only the municipality's administrator can change the rules."))
    if not 1 <= int(provider_response_days) <= 60:
        raise AgreementInvalid(_("Give the provider between 1 and 60 days."), field="provider_response_days")
    if not 0 <= int(cancellation_notice_hours) <= 24 * 60:
        raise AgreementInvalid(_("The notice must be between 0 and 1440 hours."), field="cancellation_notice_hours")
    if not 1 <= int(invoice_approval_days) <= 60:
        raise AgreementInvalid(_("The target must be between 1 and 60 working days."), field="invoice_approval_days")
    if approval_above_amount not in (None, ""):
        approval_above_amount = to_money(approval_above_amount)
        if approval_above_amount < 0:
            raise AgreementInvalid(_("The amount cannot be negative."), field="approval_above_amount")
    else:
        approval_above_amount = None
    if respite_days_per_year not in (UNCHANGED, None) and not (
            isinstance(respite_days_per_year, int) and 1 <= respite_days_per_year <= 366):
        raise AgreementInvalid(_("Respite care days a year: from 1 to 366, or empty for no limit."),
                               field="respite_days_per_year")
    billable = Decimal(str(short_notice_billable_units or 0)).quantize(Decimal("0.01"))
    if billable < 0 or billable > 100:
        raise AgreementInvalid(_("Between 0 and 100 units."), field="short_notice_billable_units")
    with transaction.atomic():
        rules = MunicipalRules.objects.select_for_update().filter(pk=1).first() or MunicipalRules(pk=1)
        old = {"provider_response_days": rules.provider_response_days,
               "approval_service_types": list(rules.approval_service_types or []),
               "approval_above_amount": str(rules.approval_above_amount),
               "cancellation_notice_hours": rules.cancellation_notice_hours,
               "short_notice_billable_units": str(rules.short_notice_billable_units),
               "invoice_approval_days": rules.invoice_approval_days,
               "respite_days_per_year": rules.respite_days_per_year}
        rules.provider_response_days = int(provider_response_days)
        rules.approval_service_types = sorted(set(approval_service_types or []))
        rules.approval_above_amount = approval_above_amount
        rules.cancellation_notice_hours = int(cancellation_notice_hours)
        rules.short_notice_billable_units = billable
        rules.invoice_approval_days = int(invoice_approval_days)
        if respite_days_per_year is not UNCHANGED:
            rules.respite_days_per_year = respite_days_per_year
        rules.full_clean()
        rules.save()
        new = {"provider_response_days": rules.provider_response_days,
               "approval_service_types": rules.approval_service_types,
               "approval_above_amount": str(rules.approval_above_amount),
               "cancellation_notice_hours": rules.cancellation_notice_hours,
               "short_notice_billable_units": str(rules.short_notice_billable_units),
               "invoice_approval_days": rules.invoice_approval_days,
               "respite_days_per_year": rules.respite_days_per_year}
        changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
        audit(actor=actor, action="update", obj=rules, message="agreement.rules_changed", changes=changes)
    return rules
