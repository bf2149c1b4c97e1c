"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

_FAMILY = [(_("My budget"), "budgets:my-budget"), (_("My spending history"), "budgets:my-history")]
_STAFF = [(_("Budgets and ledger"), "budgets:list"), (_("Budget methodology"), "budgets:methodology")]

LINKS: dict = {
    Role.PERSON: _FAMILY,
    Role.LEGAL_REPRESENTATIVE: _FAMILY,
    Role.SUPPORT_PERSON: _FAMILY,
    Role.SOCIAL_WORKER: _STAFF,
    Role.FINANCE_OFFICER: _STAFF,
    Role.MUNICIPALITY_ADMIN: _STAFF,
}
