"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.PERSON: [(_("Your service agreements"), "agreements:list")],
    Role.LEGAL_REPRESENTATIVE: [(_("Service agreements"), "agreements:list")],
    Role.SUPPORT_PERSON: [(_("Service agreements"), "agreements:list")],
    Role.SOCIAL_WORKER: [(_("Service agreements"), "agreements:list"),
                         (_("Agreements waiting for approval"), "agreements:approvals")],
    Role.MUNICIPALITY_ADMIN: [(_("Service agreements"), "agreements:list"),
                              (_("Agreements waiting for approval"), "agreements:approvals"),
                              (_("Rules for agreements"), "agreements:rules")],
    Role.FINANCE_OFFICER: [(_("Service agreements"), "agreements:list")],
    Role.PROVIDER_STAFF: [(_("Agreement requests in municipalities"), "agreements:provider-home")],
}
