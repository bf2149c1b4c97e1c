from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "portal.marketplace.invoicing"
    label = "invoicing"
    default_auto_field = "django.db.models.BigAutoField"
