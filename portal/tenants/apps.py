from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "portal.tenants"
    label = "tenants"
    verbose_name = _("Municipalities")

    def ready(self):
        from . import two_factor  # noqa: F401  (the sign-in signal decides who needs the second step)
