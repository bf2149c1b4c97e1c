"""Host → municipality routing, with a friendly page for an unknown host.

The host→municipality map is cached in the process for a minute (and dropped
at once when a municipality or host name changes here), so a request costs
one `SET search_path`, not one for the look-up and another for the tenant.
"""

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from .models import Domain, Municipality

CACHE_SECONDS = 60
_cache: dict[str, tuple[float, Municipality]] = {}
_cache_lock = threading.Lock()


def forget_hosts(**kwargs) -> None:
    with _cache_lock:
        _cache.clear()


for _model in (Domain, Municipality):
    receiver(post_save, sender=_model, dispatch_uid=f"forget-hosts-save-{_model.__name__}")(forget_hosts)
    receiver(post_delete, sender=_model, dispatch_uid=f"forget-hosts-delete-{_model.__name__}")(forget_hosts)


class MunicipalityMiddleware(TenantMainMiddleware):
    def get_tenant(self, domain_model, hostname):
        now = time.monotonic()
        hit = _cache.get(hostname)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = super().get_tenant(domain_model, hostname)
        with _cache_lock:
            _cache[hostname] = (now + CACHE_SECONDS, tenant)
        return tenant

    def no_tenant_found(self, request, hostname):
        # A plain, translated 404 — never a stack trace, whatever DEBUG says.
        from django.utils import translation

        translation.activate(translation.get_language_from_request(request))
        return render(request, "frontend/unknown_host.html", {"hostname": hostname}, status=404)
