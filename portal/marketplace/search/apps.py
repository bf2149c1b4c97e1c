from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "portal.marketplace.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # it uses the catalogue's models: imported once the registry is ready

        signals.connect()
