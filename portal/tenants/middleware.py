"""Host → municipality routing. An unknown host gets the page ``DEFAULT_NOT_FOUND_TENANT_VIEW`` names
(the frontend's, so this package never imports the web layer).

The host→municipality map is cached in the process for a minute (and dropped
at once when a municipality or host name changes here), so a request costs
one `SET search_path`, not one for the look-up and another for the tenant.
"""

import threading
import time

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponseNotFound
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
    def process_request(self, request):
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        hit = _cache.get(hostname)
        if hit is None or hit[0] <= time.monotonic():
            # Only a cache miss needs the public schema (where host names live).
            connection.set_schema_to_public()
            try:
                tenant = self.get_tenant(Domain, hostname)
            except Domain.DoesNotExist:
                return self.no_tenant_found(request, hostname)
            with _cache_lock:
                _cache[hostname] = (time.monotonic() + CACHE_SECONDS, tenant)
        else:
            tenant = hit[1]
        tenant.domain_url = hostname
        request.tenant = tenant
        if connection.schema_name != tenant.schema_name or not connection.search_path_set_schemas:
            connection.set_tenant(tenant)
        else:
            connection.tenant = tenant  # already on this schema: skip a second SET search_path
        self.setup_url_routing(request)
