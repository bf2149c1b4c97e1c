"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.PERSON: [(_("Delivered sessions"), "invoicing:family-sessions")],
    Role.LEGAL_REPRESENTATIVE: [(_("Delivered sessions"), "invoicing:family-sessions")],
    Role.SUPPORT_PERSON: [(_("Delivered sessions"), "invoicing:family-sessions")],
    Role.FINANCE_OFFICER: [(_("Invoices to approve"), "invoicing:finance-queue")],
    Role.PROVIDER_STAFF: [(_("Your work in every municipality"), "invoicing:provider-hub")],
}
