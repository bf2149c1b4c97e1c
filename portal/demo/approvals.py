"""Demo data for approvals: each municipality approves the verified providers serving it (most of
their services) and sets a price cap per service type. Idempotent and fast (bulk inserts)."""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.marketplace.approvals.models import ApprovalStatus, PriceCap, ProviderApproval, ServiceApproval
from portal.marketplace.catalogue.models import MunicipalListing, Provider, Service, ServiceType

from .catalogue import DEMO_PROVIDER_SLUG

# Caps per unit (EUR) around which each municipality sets its own; "refuse": no co-payment allowed.
BASE_CAPS = {
    "home-care": ("hour", "12.00", "copay"),
    "respite-care": ("day", "70.00", "copay"),
    "decision-support": ("hour", "18.00", "refuse"),
    "psychosocial-rehab-children": ("session", "40.00", "copay"),
    "psychologist": ("session", "45.00", "copay"),
    "day-care": ("day", "25.00", "copay"),
    "group-apartment": ("day", "30.00", "refuse"),
    "specialised-workshop": ("day", "22.00", "copay"),
    "social-rehab": ("course", "700.00", "copay"),
    "physiotherapy": ("session", "35.00", "copay"),
    "ergotherapy": ("session", "35.00", "copay"),
    "speech-therapy": ("session", "30.00", "copay"),
    "transport": ("session", "20.00", "refuse"),
}


def load(municipality, out=None):
    started = time.perf_counter()
    if ProviderApproval.objects.exists():
        if out is not None:
            print(f"• Approvals in {municipality.name}: already there", file=out, flush=True)
        return
    rng = random.Random(f"approvals-{municipality.code}")
    now = timezone.now()
    factor = Decimal(str(round(rng.uniform(0.92, 1.08), 2)))
    types = {t.code: t for t in ServiceType.objects.all()}
    caps = [PriceCap(service_type=types[code], unit=unit, over_cap_rule=rule,
                     amount=(Decimal(amount) * factor).quantize(Decimal("1.00")))
            for code, (unit, amount, rule) in BASE_CAPS.items() if code in types]
    providers = list(Provider.objects.filter(municipalities_served__contains=[municipality.code])
                     .order_by("pk").values_list("pk", "status"))
    provider_approvals, approved_ids = [], []
    for position, (pk, status) in enumerate(providers):
        if status != Provider.Status.VERIFIED:
            decision = ApprovalStatus.PENDING
        elif position % 11 == 7:
            decision = ApprovalStatus.PENDING  # a few wait for this municipality's decision
        else:
            decision = ApprovalStatus.APPROVED
        decided = decision != ApprovalStatus.PENDING
        provider_approvals.append(ProviderApproval(provider_id=pk, status=decision, decided_at=now if decided else None))
        if decision == ApprovalStatus.APPROVED:
            approved_ids.append(pk)
    service_approvals = []
    rows = Service.objects.filter(provider_id__in=approved_ids).order_by("pk").values_list("pk", "provider__slug")
    for pk, slug in rows:
        # The demo provider's services are all approved: other areas' demos build on them.
        pending = slug != DEMO_PROVIDER_SLUG and rng.random() < 0.06
        decision = ApprovalStatus.PENDING if pending else ApprovalStatus.APPROVED
        service_approvals.append(ServiceApproval(service_id=pk, status=decision,
                                                 decided_at=now if decision == ApprovalStatus.APPROVED else None))
    with transaction.atomic():
        PriceCap.objects.bulk_create(caps)
        ProviderApproval.objects.bulk_create(provider_approvals)
        ServiceApproval.objects.bulk_create(service_approvals)
        MunicipalListing.objects.bulk_create([
            MunicipalListing(provider_id=a.provider_id, municipality_code=municipality.code, status=a.status,
                             decided_at=a.decided_at) for a in provider_approvals], ignore_conflicts=True)
    if out is not None:
        print(f"• Approvals in {municipality.name}: {len(approved_ids)} providers, "
              f"{sum(a.status == ApprovalStatus.APPROVED for a in service_approvals)} services approved, "
              f"{len(caps)} price caps ({time.perf_counter() - started:.2f} s)", file=out, flush=True)
