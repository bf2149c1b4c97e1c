from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "portal.tenants"
    label = "tenants"
    verbose_name = _("Municipalities")

    def ready(self):
        from . import handoff, two_factor  # noqa: F401  (sign-in signals: the second step; one sign-in, many hosts)
