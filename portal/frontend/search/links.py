"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

_FIND = (_("Find services"), "search:search")

LINKS: dict = {
    Role.PERSON: [_FIND],
    Role.LEGAL_REPRESENTATIVE: [_FIND],
    Role.SUPPORT_PERSON: [_FIND],
    Role.SOCIAL_WORKER: [_FIND],
    Role.MUNICIPALITY_ADMIN: [_FIND],
    Role.MINISTRY_ANALYST: [(_("Service catalogue search"), "search:search")],
}
