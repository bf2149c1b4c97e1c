"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.PROVIDER_STAFF: [(_("Your provider profile and services"), "catalogue:my-providers")],
    Role.PLATFORM_ADMIN: [(_("Verify providers"), "catalogue:verification")],
    Role.MUNICIPALITY_ADMIN: [(_("Approve providers and services"), "catalogue:approvals"),
                              (_("Price caps"), "catalogue:caps")],
}
