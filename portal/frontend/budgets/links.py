"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

_FAMILY = [(_("My budget"), "budgets:my-budget"), (_("My spending history"), "budgets:my-history")]

LINKS: dict = {
    Role.PERSON: _FAMILY,
    Role.LEGAL_REPRESENTATIVE: _FAMILY,
    Role.SUPPORT_PERSON: _FAMILY,
    Role.SOCIAL_WORKER: [(_("Budgets and ledger"), "budgets:list"), (_("Budget methodology"), "budgets:methodology")],
    Role.FINANCE_OFFICER: [(_("Budgets and ledger"), "budgets:list"), (_("Budget methodology"), "budgets:methodology")],
    Role.MUNICIPALITY_ADMIN: [(_("Budget methodology"), "budgets:methodology"), (_("Budgets and ledger"), "budgets:list")],
}
