"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.PERSON: [(_("Paid from the budget"), "payments:family")],
    Role.LEGAL_REPRESENTATIVE: [(_("Paid from the budget"), "payments:family")],
    Role.SUPPORT_PERSON: [(_("Paid from the budget"), "payments:family")],
    Role.FINANCE_OFFICER: [(_("Payments"), "payments:list"), (_("Bank batches (treasury export)"), "payments:batches"),
                           (_("Import a bank statement"), "payments:statement"),
                           (_("Reconciliation"), "payments:reconciliation"), (_("Funding"), "payments:funding")],
    Role.PROVIDER_STAFF: [(_("Payments in every municipality"), "payments:provider")],
}
