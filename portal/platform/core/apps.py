from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.platform.core"
    label = "core"
    verbose_name = _("Core")
