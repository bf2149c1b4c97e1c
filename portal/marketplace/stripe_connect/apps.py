from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StripeConnectConfig(AppConfig):
    name = "portal.marketplace.stripe_connect"
    label = "stripe_connect"
    verbose_name = _("Stripe Connect")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # AppConfig.ready: the payments app's rail registry needs the model registry loaded.
        from .transfers import register

        register()
