from portal.marketplace.catalogue.models import ServiceType
from portal.marketplace.catalogue.taxonomy import SERVICE_TYPE_CODES


def test_taxonomy_is_seeded(db):
    assert sorted(ServiceType.objects.values_list("code", flat=True)) == sorted(SERVICE_TYPE_CODES)
    assert ServiceType.objects.get(code="home-care").name_lv == "Aprūpe mājās"
