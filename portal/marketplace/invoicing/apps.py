"""Delivered sessions, invoices and their approval."""
from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "portal.marketplace.invoicing"
    label = "invoicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # it uses the agreements' models: imported once the registry is ready

        signals.connect()
