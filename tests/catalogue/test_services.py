"""Provider sign-up, verification, profile and service changes: behaviour, history, refusals."""

from decimal import Decimal

import pytest

from portal.marketplace.catalogue import services
from portal.marketplace.catalogue.errors import CatalogueInvalid, NotProviderStaff
from portal.marketplace.catalogue.models import CatalogueChange, Location, Provider, ProviderStaff, Service
from portal.platform.accounts.models import User
from portal.platform.core.models import AuditEvent
from portal.tenants.access import has_role
from portal.tenants.roles import Role
from tests.catalogue.conftest import profile_data
from tests.conftest import demo_user


def _counts():
    return (Provider.objects.count(), Service.objects.count(), CatalogueChange.objects.count(),
            User.objects.count(), ProviderStaff.objects.count(), Location.objects.count())


def test_visitor_signs_up_a_provider_that_waits_for_verification(db):
    provider = services.provider_sign_up(actor=None, profile=profile_data(), full_name="Anna Jauna",
                                         email="anna@jaunais.lv", password="ļoti-drošs-2026")
    assert provider.status == Provider.Status.PENDING
    assert provider.slug == "biedriba-jaunais-sniedzejs"
    staff = provider.staff.get()
    assert staff.is_owner and staff.user.email == "anna@jaunais.lv"
    assert not staff.user.is_active  # until the address is confirmed from the e-mailed link
    assert staff.user.check_password("ļoti-drošs-2026")
    assert not has_role(staff.user, Role.PROVIDER_STAFF)  # held once the account is active
    staff.user.is_active = True
    assert has_role(staff.user, Role.PROVIDER_STAFF)
    change = provider.changes.get()
    assert change.kind == CatalogueChange.Kind.PROVIDER_CREATED and change.actor == staff.user
    assert change.changes["iban"][1] == provider.iban


def test_a_signed_in_user_who_registers_a_provider_holds_the_role_at_once_and_the_grant_is_audited(db):
    user = demo_user(Role.PERSON)
    assert not has_role(user, Role.PROVIDER_STAFF)  # the user's roles are now cached, as within a request
    services.provider_sign_up(actor=user, profile=profile_data())
    assert has_role(user, Role.PROVIDER_STAFF)
    grant = AuditEvent.objects.get(object_type="tenants.membership", summary=f"granted provider_staff to {user.email}")
    assert grant.actor_id == user.pk and grant.action == AuditEvent.Action.CREATE


@pytest.mark.parametrize("field, value, code", [
    ("iban", "LV00HABA0551234567890", "catalogue.invalid_iban"),
    ("company_number", "40003032948", "catalogue.invalid_company_number"),
    ("social_register_number", "123", "catalogue.invalid_social_register_number"),
    ("municipalities_served", ["atlantida"], "catalogue.unknown_municipality"),
    ("languages", ["xx"], "catalogue.item_invalid"),
])
def test_bad_profile_is_refused_and_nothing_is_written(db, field, value, code):
    before = _counts()
    with pytest.raises(CatalogueInvalid) as caught:
        services.provider_sign_up(actor=None, profile=profile_data(**{field: value}), full_name="Anna",
                                  email="anna@jaunais.lv", password="ļoti-drošs-2026")
    assert caught.value.field == field and caught.value.code == code
    assert _counts() == before


def test_sign_up_with_an_existing_email_writes_nothing_and_tells_the_owner_by_e_mail(
        db, staff_user, django_capture_on_commit_callbacks):
    from django.core import mail

    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.provider_sign_up(actor=None, profile=profile_data(), full_name="X",
                                           email=staff_user.email.upper(), password="ļoti-drošs-2026")
    assert result is None and _counts() == before
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
    assert "/konts/ieiet/?next=/sniedzeja-registracija/" in mail.outbox[0].body


def test_the_same_register_number_cannot_register_twice(db, provider, staff_user):
    before = _counts()
    with pytest.raises(CatalogueInvalid) as caught:
        services.provider_sign_up(actor=staff_user, profile=profile_data(company_number=provider.company_number))
    assert caught.value.field == "company_number"
    assert _counts() == before


def test_profile_change_keeps_who_when_old_and_new(db, provider, staff_user):
    old_phone = provider.phone
    services.provider_update(provider=provider, actor=staff_user, phone="+371 29999999", name=provider.name)
    change = provider.changes.order_by("-id").first()
    assert change.kind == CatalogueChange.Kind.PROVIDER_CHANGED
    assert change.changes == {"phone": [old_phone, "+371 29999999"]}
    assert change.actor == staff_user and change.actor_label == staff_user.email


def test_someone_elses_staff_cannot_change_the_profile(db, provider):
    stranger = demo_user(Role.SOCIAL_WORKER)
    before = _counts()
    with pytest.raises(NotProviderStaff):
        services.provider_update(provider=provider, actor=stranger, phone="+371 20000001")
    provider.refresh_from_db()
    assert provider.phone != "+371 20000001" and _counts() == before


def test_price_change_is_recorded_as_a_price_change(db, provider, staff_user):
    service = provider.services.first()
    old = service.unit_price
    services.service_update(service=service, actor=staff_user, unit_price="99.90")
    change = service.changes.order_by("-id").first()
    assert change.kind == CatalogueChange.Kind.PRICE_CHANGED
    assert change.changes == {"unit_price": [str(old), "99.90"]}
    service.refresh_from_db()
    assert service.unit_price == Decimal("99.90")


def test_capacity_change_is_recorded_as_such(db, provider, staff_user):
    service = provider.services.first()
    services.service_update(service=service, actor=staff_user, free_places=0, waiting_weeks=4)
    assert service.changes.order_by("-id").first().kind == CatalogueChange.Kind.CAPACITY_CHANGED


@pytest.mark.parametrize("fields, field", [
    ({"unit_price": "-1"}, "unit_price"),
    ({"unit_price": "abc"}, "unit_price"),
    ({"min_age": 18, "max_age": 5}, "max_age"),
    ({"target_groups": []}, "target_groups"),
    ({"unit": "week"}, "unit"),
])
def test_bad_service_change_writes_nothing(db, provider, staff_user, fields, field):
    service = provider.services.first()
    before = (_counts(), Service.objects.filter(pk=service.pk).values().get())
    with pytest.raises(CatalogueInvalid) as caught:
        services.service_update(service=service, actor=staff_user, **fields)
    assert caught.value.field == field
    assert (_counts(), Service.objects.filter(pk=service.pk).values().get()) == before


def test_service_create_with_another_providers_location_is_refused(db, provider, staff_user):
    other = Location.objects.exclude(provider=provider).first()
    before = _counts()
    with pytest.raises(CatalogueInvalid) as caught:
        services.service_create(provider=provider, actor=staff_user, service_type="home-care", title_lv="Aprūpe",
                                description_lv="Apraksts", target_groups=["adults"], delivery_modes=["home"],
                                unit_price="10.00", locations=[other.pk])
    assert caught.value.field == "locations" and _counts() == before


def test_platform_admin_verifies_and_others_cannot(db, platform_admin, staff_user):
    pending = Provider.objects.filter(status=Provider.Status.PENDING).first()
    with pytest.raises(NotProviderStaff):
        services.provider_status_set(provider=pending, status="verified", actor=staff_user)
    pending.refresh_from_db()
    assert pending.status == Provider.Status.PENDING
    services.provider_status_set(provider=pending, status="verified", actor=platform_admin)
    pending.refresh_from_db()
    assert pending.is_verified and pending.verified_by == platform_admin and pending.verified_at
    assert pending.changes.order_by("-id").first().changes == {"status": ["pending", "verified"]}


def test_owner_adds_and_removes_staff_but_not_the_last_owner(db, provider, staff_user):
    member = services.staff_add(provider=provider, actor=staff_user, email="kolega@saules-stars.lv",
                                full_name="Kolēģis Bērziņš")
    assert has_role(member.user, Role.PROVIDER_STAFF)
    with pytest.raises(NotProviderStaff):
        services.staff_add(provider=provider, actor=member.user, email="vel@saules-stars.lv", full_name="Vēl")
    services.staff_remove(staff=member, actor=staff_user)
    owner = ProviderStaff.objects.get(provider=provider, user=staff_user)
    with pytest.raises(Exception) as caught:
        services.staff_remove(staff=owner, actor=staff_user)
    assert caught.value.code == "catalogue.last_owner"


def test_location_needs_both_coordinates(db, provider, staff_user):
    before = _counts()
    with pytest.raises(CatalogueInvalid) as caught:
        services.location_create(provider=provider, actor=staff_user, name="Birojs", address="Lielā 1",
                                 municipality_code="jelgava", latitude=Decimal("56.65"))
    assert caught.value.code == "catalogue.coordinates" and _counts() == before
