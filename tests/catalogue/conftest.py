"""Fixtures of the catalogue tests: the demo provider, its staff, and services approved in one
municipality only (to prove the other municipality's site does not show them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from portal.demo.catalogue import DEMO_PROVIDER_SLUG
from portal.marketplace.approvals.models import ApprovalStatus, PriceCap, ProviderApproval, ServiceApproval
from portal.marketplace.catalogue.models import Provider, Service, ServiceType
from portal.marketplace.catalogue.validators import make_company_number, make_iban
from portal.tenants.roles import Role
from tests.conftest import demo_user


@pytest.fixture
def provider(db) -> Provider:
    return Provider.objects.get(slug=DEMO_PROVIDER_SLUG)


@pytest.fixture
def staff_user(db):
    return demo_user(Role.PROVIDER_STAFF)


@pytest.fixture
def platform_admin(db):
    return demo_user(Role.PLATFORM_ADMIN)


def profile_data(**overrides) -> dict:
    data = dict(
        name="Biedrība “Jaunais Sniedzējs”", social_register_number="S04567",
        company_number=make_company_number("5000812345"), legal_form="association",
        email="info@jaunais.lv", phone="+371 20000000", website="https://jaunais.lv",
        address="Lielā iela 1, Jelgava, LV-3001", description_lv="Sniedzam aprūpi mājās Jelgavā.",
        description_en="", languages=["lv", "ru"], municipalities_served=["jelgava"],
        iban=make_iban("HABA", "0551234567890"), vat_payer=False, vat_number="",
    )
    data.update(overrides)
    return data


@pytest.fixture
def new_service(provider, muni_a, muni_b) -> Service:
    """A psychologist service of the demo provider, approved in A only, priced 10.00 above A's cap."""
    service_type = ServiceType.objects.get(code="psychologist")
    service = Service.objects.create(
        provider=provider, service_type=service_type, title_lv="Psihologa konsultācija ģimenei",
        title_en="Family psychologist consultation", description_lv="Konsultācija visai ģimenei.",
        target_groups=["adults", "children"], delivery_modes=["provider"], unit="session",
        unit_price=Decimal("55.00"), free_places=0, waiting_weeks=3)
    with tenant_context(muni_a):
        PriceCap.objects.update_or_create(service_type=service_type, unit="session",
                                          defaults={"amount": Decimal("45.00"), "over_cap_rule": "copay"})
        ProviderApproval.objects.update_or_create(provider=provider, defaults={"status": ApprovalStatus.APPROVED})
        ServiceApproval.objects.create(service=service, status=ApprovalStatus.APPROVED)
    return service
