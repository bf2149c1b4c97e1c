"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.MINISTRY_ANALYST: [(_("Statistics across municipalities"), "statistics:dashboard"),
                            (_("Pilot report"), "statistics:pilot")],
    Role.MUNICIPALITY_ADMIN: [(_("Statistics"), "statistics:dashboard")],
    Role.FINANCE_OFFICER: [(_("Statistics"), "statistics:dashboard")],
}
