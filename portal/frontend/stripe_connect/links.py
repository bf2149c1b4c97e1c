"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.PLATFORM_ADMIN: [(_("Stripe balance"), "stripe_connect:balance")],
}
