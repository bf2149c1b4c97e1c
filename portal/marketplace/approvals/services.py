"""A municipality administrator's decisions: approve providers and services, set price caps.
Call inside the municipality's schema."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.marketplace.catalogue.models import MunicipalListing, Provider, Service, ServiceType, Unit
from portal.platform.core.models import AuditEvent, audit
from portal.platform.outbox.services import outbox_emit
from portal.tenants.access import current_municipality, has_role
from portal.tenants.roles import Role

from .errors import ApprovalInvalid, NotMunicipalityAdmin, ProviderNotApproved, ProviderNotVerified
from .models import ApprovalStatus, PriceCap, ProviderApproval, ServiceApproval


def _require_admin(actor):
    municipality = current_municipality()
    if municipality is None or not has_role(actor, Role.MUNICIPALITY_ADMIN, municipality=municipality):
        raise NotMunicipalityAdmin(_("Only this municipality's administrator may do this."))
    return municipality


def _check_status(status: str) -> None:
    if status not in ApprovalStatus.values:
        raise ApprovalInvalid(_("Choose a decision."), code="approvals.invalid_status", field="status")


@transaction.atomic
def provider_approval_decide(*, provider: Provider, status: str, actor, note: str = "",
                             request=None) -> ProviderApproval:
    """Approve, refuse or suspend a provider for this municipality's people."""
    municipality = _require_admin(actor)
    _check_status(status)
    if municipality.code not in provider.municipalities_served:
        raise ApprovalInvalid(_("This provider does not serve this municipality."), code="approvals.not_served_here")
    if status == ApprovalStatus.APPROVED and not provider.is_verified:
        raise ProviderNotVerified(_("The provider is not verified by the platform yet; it cannot be approved."))
    if status in (ApprovalStatus.REFUSED, ApprovalStatus.SUSPENDED) and not note.strip():
        raise ApprovalInvalid(_("Give the reason: the provider will see it."), code="approvals.reason_required",
                              field="note")
    approval, _created = ProviderApproval.objects.select_for_update().get_or_create(provider=provider)
    old = approval.status
    approval.status, approval.note = status, note.strip()[:500]
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.save()
    # The provider's national view of every municipality's decision (same transaction).
    MunicipalListing.objects.update_or_create(
        provider=provider, municipality_code=municipality.code,
        defaults={"status": status, "note": approval.note, "decided_at": approval.decided_at})
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=approval, changes={"status": [old, status]},
          message="provider.decided", params={"name": provider.name, "status": str(status)},
          request=request)
    if old != status:
        outbox_emit(kind="provider.approval_decided", payload={"provider_id": provider.pk, "status": status})
    return approval


@transaction.atomic
def service_approval_decide(*, service: Service, status: str, actor, note: str = "",
                            request=None) -> ServiceApproval:
    """Approve or refuse one service; a service can only be approved once its provider is."""
    _require_admin(actor)
    _check_status(status)
    if status == ApprovalStatus.APPROVED and not ProviderApproval.objects.filter(
            provider_id=service.provider_id, status=ApprovalStatus.APPROVED).exists():
        raise ProviderNotApproved(_("Approve the provider first."))
    approval, _created = ServiceApproval.objects.select_for_update().get_or_create(service=service)
    old = approval.status
    approval.status, approval.note = status, note.strip()[:500]
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.save()
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=approval, changes={"status": [old, status]},
          message="service.decided", params={"service": service.pk, "status": str(status)},
          request=request)
    if old != status:
        outbox_emit(kind="service.approval_decided", payload={
            "provider_id": service.provider_id, "service_ids": [service.pk], "status": status})
    return approval


@transaction.atomic
def services_approve_all(*, provider: Provider, actor, request=None) -> int:
    """Approve every active service of an approved provider not decided yet here. Returns how many."""
    _require_admin(actor)
    if not ProviderApproval.objects.filter(provider=provider, status=ApprovalStatus.APPROVED).exists():
        raise ProviderNotApproved(_("Approve the provider first."))
    decided = ServiceApproval.objects.filter(service__provider=provider).exclude(
        status=ApprovalStatus.PENDING).values("service_id")
    service_ids = list(provider.services.filter(is_active=True).exclude(pk__in=decided).values_list("pk", flat=True))
    now = timezone.now()
    for service_id in service_ids:
        ServiceApproval.objects.update_or_create(service_id=service_id, defaults={
            "status": ApprovalStatus.APPROVED, "decided_by": actor, "decided_at": now})
    if service_ids:
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=provider, object_type="approvals.serviceapproval",
              changes={"approved_services": service_ids}, message="services.approved",
              params={"n": len(service_ids), "name": provider.name}, request=request)
        outbox_emit(kind="service.approval_decided", payload={
            "provider_id": provider.pk, "service_ids": service_ids, "status": ApprovalStatus.APPROVED})
    return len(service_ids)


@transaction.atomic
def price_cap_set(*, service_type, unit: str, amount, over_cap_rule: str = PriceCap.OverCapRule.COPAY,
                  actor, request=None) -> PriceCap:
    """Set (or change) this municipality's cap per unit for a service type."""
    _require_admin(actor)
    if not isinstance(service_type, ServiceType):
        service_type = ServiceType.objects.filter(code=service_type).first()
        if service_type is None:
            raise ApprovalInvalid(_("Choose a service type."), code="approvals.invalid_service_type",
                                  field="service_type")
    if unit not in Unit.values:
        raise ApprovalInvalid(_("Choose a unit."), code="approvals.invalid_unit", field="unit")
    if over_cap_rule not in PriceCap.OverCapRule.values:
        raise ApprovalInvalid(_("Choose what happens above the cap."), code="approvals.invalid_rule",
                              field="over_cap_rule")
    if isinstance(amount, float):
        amount = str(amount)
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) \
            or amount >= Decimal("100000000"):
        raise ApprovalInvalid(_("Enter the cap as an amount in euros above zero, e.g. 12.50."),
                              code="approvals.invalid_amount", field="amount")
    cap = PriceCap.objects.select_for_update().filter(service_type=service_type, unit=unit).first()
    old = None if cap is None else [str(cap.amount), cap.over_cap_rule]
    if cap is None:
        cap = PriceCap(service_type=service_type, unit=unit)
    cap.amount, cap.over_cap_rule, cap.set_by = amount, over_cap_rule, actor
    cap.save()
    audit(actor=actor, action=AuditEvent.Action.UPDATE if old else AuditEvent.Action.CREATE, obj=cap,
          changes={"cap": [old, [str(amount), over_cap_rule]]},
          message="price_cap.set", params={"service_type": service_type.code, "unit": str(unit)}, request=request)
    return cap


@transaction.atomic
def price_cap_remove(*, cap: PriceCap, actor, request=None) -> None:
    _require_admin(actor)
    audit(actor=actor, action=AuditEvent.Action.DELETE, obj=cap,
          changes={"cap": [[str(cap.amount), cap.over_cap_rule], None]},
          message="price_cap.removed", params={"service_type": cap.service_type_id, "unit": cap.unit},
          request=request)
    cap.delete()
