from django_tenants.utils import tenant_context

from portal.demo.catalogue import DEMO_PROVIDER_SLUG
from portal.marketplace.approvals.models import PriceCap
from portal.marketplace.approvals.selectors import approved_services, over_cap_amount


def test_each_municipality_approves_services_and_sets_caps(muni_a, muni_b):
    for municipality in (muni_a, muni_b):
        with tenant_context(municipality):
            services = list(approved_services().select_related("provider"))
            assert len(services) >= 40
            assert all(municipality.code in s.provider.municipalities_served for s in services)
            assert PriceCap.objects.count() == 13
            assert any(over_cap_amount(s) > 0 for s in services)
            assert any(s.provider.slug == DEMO_PROVIDER_SLUG for s in services)
