"""A municipality's approvals and price caps."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from portal.marketplace.approvals import selectors, services
from portal.marketplace.approvals.errors import ApprovalInvalid, NotMunicipalityAdmin, ProviderNotApproved
from portal.marketplace.approvals.models import PriceCap, ProviderApproval, ServiceApproval
from portal.marketplace.catalogue.models import Provider, ServiceType
from portal.tenants.roles import Role
from tests.conftest import demo_user


def _state():
    return (list(ProviderApproval.objects.order_by("pk").values_list("pk", "status", "note")),
            list(ServiceApproval.objects.order_by("pk").values_list("pk", "status")),
            list(PriceCap.objects.order_by("pk").values_list("pk", "amount", "over_cap_rule")))


def test_approved_services_are_only_those_approved_here(new_service, muni_a, muni_b):
    with tenant_context(muni_a):
        assert selectors.approved_services().filter(pk=new_service.pk).exists()
        assert selectors.over_cap_amount(new_service) == Decimal("10.00")
        assert selectors.price_cap_for(new_service).amount == Decimal("45.00")
    with tenant_context(muni_b):
        assert not selectors.approved_services().filter(pk=new_service.pk).exists()


def test_refusing_a_provider_hides_all_its_services(new_service, provider, muni_a):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    with tenant_context(muni_a):
        services.provider_approval_decide(provider=provider, status="refused", note="Nav licences", actor=admin)
        assert not selectors.approved_services().filter(provider=provider).exists()


def test_only_this_municipalitys_admin_decides(new_service, provider, muni_a):
    with tenant_context(muni_a):
        before = _state()
        for actor in (demo_user(Role.MUNICIPALITY_ADMIN, "liepaja"), demo_user(Role.SOCIAL_WORKER, "jelgava"),
                      demo_user(Role.PROVIDER_STAFF)):
            with pytest.raises(NotMunicipalityAdmin):
                services.provider_approval_decide(provider=provider, status="suspended", note="x", actor=actor)
            with pytest.raises(NotMunicipalityAdmin):
                services.price_cap_set(service_type="home-care", unit="hour", amount="1.00", actor=actor)
        assert _state() == before


def test_refusal_needs_a_reason(provider, muni_a):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    with tenant_context(muni_a):
        before = _state()
        with pytest.raises(ApprovalInvalid) as caught:
            services.provider_approval_decide(provider=provider, status="refused", note=" ", actor=admin)
        assert caught.value.field == "note" and _state() == before


def test_unverified_or_not_serving_providers_cannot_be_approved(db, muni_a):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    pending = Provider.objects.filter(status="pending", municipalities_served__contains=["jelgava"]).first()
    elsewhere = Provider.objects.exclude(municipalities_served__contains=["jelgava"]).first()
    with tenant_context(muni_a):
        before = _state()
        with pytest.raises(Exception) as caught:
            services.provider_approval_decide(provider=pending, status="approved", actor=admin)
        assert caught.value.code == "approvals.provider_not_verified"
        with pytest.raises(ApprovalInvalid) as caught:
            services.provider_approval_decide(provider=elsewhere, status="approved", actor=admin)
        assert caught.value.code == "approvals.not_served_here"
        assert _state() == before


def test_a_service_needs_its_provider_approved_first(new_service, provider, muni_b):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "liepaja")
    with tenant_context(muni_b):
        services.provider_approval_decide(provider=provider, status="suspended", note="Pārbaude", actor=admin)
        before = _state()
        with pytest.raises(ProviderNotApproved):
            services.service_approval_decide(service=new_service, status="approved", actor=admin)
        assert _state() == before
        services.provider_approval_decide(provider=provider, status="approved", actor=admin)
        services.service_approval_decide(service=new_service, status="approved", actor=admin)
        assert selectors.approved_services().filter(pk=new_service.pk).exists()


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "abc", "NaN", 12.5])
def test_bad_cap_amounts_are_refused_and_nothing_changes(db, muni_a, amount):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    with tenant_context(muni_a):
        before = _state()
        if isinstance(amount, float):
            services.price_cap_set(service_type="home-care", unit="hour", amount=amount, actor=admin)
            assert PriceCap.objects.get(service_type__code="home-care", unit="hour").amount == Decimal("12.50")
            return
        with pytest.raises(ApprovalInvalid) as caught:
            services.price_cap_set(service_type="home-care", unit="hour", amount=amount, actor=admin)
        assert caught.value.field == "amount" and _state() == before


def test_cap_set_changes_the_existing_cap_for_type_and_unit(db, muni_a):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    with tenant_context(muni_a):
        count = PriceCap.objects.count()
        cap = services.price_cap_set(service_type=ServiceType.objects.get(code="home-care"), unit="hour",
                                     amount="13.40", over_cap_rule="refuse", actor=admin)
        assert PriceCap.objects.count() == count
        assert (cap.amount, cap.over_cap_rule) == (Decimal("13.40"), "refuse")
        services.price_cap_remove(cap=cap, actor=admin)
        assert PriceCap.objects.count() == count - 1


def test_the_provider_sees_each_municipalitys_decision_with_its_reason(client_for, provider, staff_user, muni_b):
    from portal.marketplace.catalogue.models import MunicipalListing

    admin = demo_user(Role.MUNICIPALITY_ADMIN, "liepaja")
    with tenant_context(muni_b):
        services.provider_approval_decide(provider=provider, status="suspended", note="Gaidām licenci",
                                          actor=admin)
    listing = MunicipalListing.objects.get(provider=provider, municipality_code="liepaja")
    assert (listing.status, listing.note) == ("suspended", "Gaidām licenci")
    text = client_for(None, user=staff_user).get(f"/mans-sniedzejs/{provider.slug}/").content.decode()
    assert "Gaidām licenci" in text and "Apturēts" in text


def test_approve_every_pending_service_of_an_approved_provider(client_for, provider, new_service, muni_b):
    from portal.marketplace.approvals.selectors import approved_services

    admin = demo_user(Role.MUNICIPALITY_ADMIN, "liepaja")
    client = client_for("liepaja", user=admin)
    with tenant_context(muni_b):
        ServiceApproval.objects.filter(service__provider=provider).exclude(service=new_service).update(
            status="refused")
    response = client.post(f"/apstiprinasana/{provider.pk}/visi-pakalpojumi/")
    assert response.status_code == 302
    with tenant_context(muni_b):
        assert approved_services().filter(pk=new_service.pk).exists()
        # a refusal already made stays: only undecided services are approved
        assert not approved_services().filter(provider=provider).exclude(pk=new_service.pk).exists()


def test_approve_all_needs_the_provider_approved(provider, new_service, muni_b):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "liepaja")
    with tenant_context(muni_b):
        services.provider_approval_decide(provider=provider, status="suspended", note="Pārbaude", actor=admin)
        before = _state()
        with pytest.raises(ProviderNotApproved):
            services.services_approve_all(provider=provider, actor=admin)
        assert _state() == before
