from django.conf import settings

from portal.tenants.access import current_municipality


def portal(request):
    municipality = current_municipality()
    return {
        "municipality": municipality,
        "service_name": municipality.name if municipality else None,
        "base_domain": settings.PORTAL_BASE_DOMAIN,
    }
