"""The demo catalogue is big and varied enough to show every case."""

from collections import Counter

from portal.demo.catalogue import DEMO_PROVIDER_SLUG, DEMO_PROVIDER_STAFF_EMAIL
from portal.marketplace.catalogue.models import Provider, ProviderStaff, Service


def test_demo_catalogue_size_and_variety(db):
    assert Provider.objects.count() >= 64
    assert Service.objects.count() >= 330
    languages = Counter(code for langs in Provider.objects.values_list("languages", flat=True) for code in langs)
    assert languages["ru"] >= 5 and languages["en"] >= 5 and languages["sgn"] >= 1
    assert Service.objects.filter(free_places=0, waiting_weeks__gt=0).count() >= 10
    served = Counter(code for codes in Provider.objects.values_list("municipalities_served", flat=True)
                     for code in codes)
    assert len(served) == 13


def test_demo_records_are_valid(db):
    for provider in Provider.objects.all():
        provider.full_clean()
    for service in Service.objects.select_related("provider")[:400]:
        service.full_clean()


def test_demo_provider_staff_owns_the_demo_provider(db):
    staff = ProviderStaff.objects.get(user__email=DEMO_PROVIDER_STAFF_EMAIL)
    assert staff.is_owner and staff.provider.slug == DEMO_PROVIDER_SLUG
    assert {"jelgava", "liepaja"} <= set(staff.provider.municipalities_served)
    assert staff.provider.status == Provider.Status.VERIFIED
