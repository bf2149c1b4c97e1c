"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role

LINKS: dict = {
    Role.SOCIAL_WORKER: [(_("Persons and support plans"), "people:person-list"),
                         (_("Register a person"), "people:person-create")],
    Role.MUNICIPALITY_ADMIN: [(_("Persons"), "people:person-list")],
    Role.PERSON: [(_("My plan"), "people:my-plan"), (_("Who looked at my data"), "people:my-data-views")],
    Role.LEGAL_REPRESENTATIVE: [(_("The plan of the person I represent"), "people:my-plan"),
                                (_("Who looked at my data"), "people:my-data-views")],
    Role.SUPPORT_PERSON: [(_("What the person shares with me"), "people:my-plan")],
}
