from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "portal.marketplace.payments"
    label = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Both need the model registry: the bank-file rail and the answer to invoicing's approval signal.
        from . import bankfile, hooks

        bankfile.register()
        hooks.connect()
