from django.conf import settings

from portal.tenants import two_factor
from portal.tenants.access import current_municipality


def portal(request):
    municipality = current_municipality()
    query = request.GET.copy()
    query.pop("lang", None)
    return {
        "language_query": f"{query.urlencode()}&" if query else "",
        "municipality": municipality,
        "service_name": municipality.name if municipality else None,
        "base_domain": settings.PORTAL_BASE_DOMAIN,
        # Staff sessions end after idle time (StaffIdleTimeoutMiddleware); the page warns first.
        # A dict lookup here: in the template `request.session.staff` missed and Django called dir() on it.
        "staff_session": bool(getattr(getattr(request, "user", None), "is_authenticated", False)
                              and request.session.get(two_factor.STAFF_SESSION)),
        "idle_seconds": settings.STAFF_IDLE_MINUTES * 60,
        "idle_warning_seconds": settings.STAFF_IDLE_WARNING_MINUTES * 60,
        "idle_warning_minutes": settings.STAFF_IDLE_WARNING_MINUTES,
    }
