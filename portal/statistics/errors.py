from django.utils.translation import gettext_lazy as _

from portal.platform.core.errors import DomainError


class FilterInvalid(DomainError):
    code = "statistics.invalid_filter"
    default_message = _("Unknown filter value.")
