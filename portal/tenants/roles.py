"""The roles a human can hold. Municipal roles are held per municipality;
national roles are held on the platform as a whole."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PERSON = "person", _("Person (budget holder)")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    SUPPORT_PERSON = "support_person", _("Support person for decision-making")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    MUNICIPALITY_ADMIN = "municipality_admin", _("Municipality administrator")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    MINISTRY_ANALYST = "ministry_analyst", _("Ministry analyst")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


MUNICIPAL_ROLES = frozenset({
    Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON,
    Role.SOCIAL_WORKER, Role.MUNICIPALITY_ADMIN, Role.FINANCE_OFFICER,
})
# Provider staff serve many municipalities through their organisation, so the
# role is national; which provider they work for is the marketplace's concern.
NATIONAL_ROLES = frozenset({Role.PROVIDER_STAFF, Role.MINISTRY_ANALYST, Role.PLATFORM_ADMIN})
# Roles of the municipality's own staff (may see personal data of its people).
STAFF_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MUNICIPALITY_ADMIN, Role.FINANCE_OFFICER})
# Roles of the family side (see only their own or their represented person's data).
FAMILY_ROLES = frozenset({Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON})
