"""What each role's dashboard offers. One entry a role; features add their
links here as they land, so a role's dashboard is the map of what it can do."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal.tenants.roles import Role


@dataclass(frozen=True)
class Panel:
    role: Role
    intro: str
    tasks: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url name)


PANELS: dict[Role, Panel] = {
    Role.PERSON: Panel(Role.PERSON, _("Your individual budget and the services you have chosen."), [
        _("See how much of your budget is left and until when."),
        _("Find community-based services and choose providers."),
        _("Confirm the sessions you received."),
    ]),
    Role.LEGAL_REPRESENTATIVE: Panel(Role.LEGAL_REPRESENTATIVE, _("You act for the person you represent."), [
        _("Agree the support plan and its goals."),
        _("Choose providers and confirm agreements."),
        _("Confirm or dispute delivered sessions."),
    ]),
    Role.SUPPORT_PERSON: Panel(Role.SUPPORT_PERSON, _(
        "You help the person prepare and understand decisions. The person decides and confirms."), [
        _("Prepare drafts of agreements for the person to confirm."),
        _("See what the person has allowed you to see."),
    ]),
    Role.SOCIAL_WORKER: Panel(Role.SOCIAL_WORKER, _("Assess needs, plan support with people, follow budgets."), [
        _("Record needs assessments."),
        _("Build person-centred support plans with goals."),
        _("Follow each budget and its ledger."),
    ]),
    Role.MUNICIPALITY_ADMIN: Panel(Role.MUNICIPALITY_ADMIN, _("Administer your municipality on the portal."), [
        _("Approve providers and set price caps."),
        _("Manage staff accounts and roles."),
        _("Search the audit log of access to personal data."),
    ], [(_("Users and roles"), "frontend:members"), (_("Audit log"), "frontend:audit-log")]),
    Role.FINANCE_OFFICER: Panel(Role.FINANCE_OFFICER, _("Approve invoices and pay providers."), [
        _("Approve or reject providers' invoices."),
        _("Export payments for the treasury."),
    ]),
    Role.PROVIDER_STAFF: Panel(Role.PROVIDER_STAFF, _("Your organisation's services, agreements and invoices."), [
        _("Keep your services, prices and free places current."),
        _("Accept agreements and record delivered sessions."),
        _("Invoice and follow payments across municipalities."),
    ]),
    Role.MINISTRY_ANALYST: Panel(Role.MINISTRY_ANALYST, _(
        "Figures across municipalities — never personal data."), [
        _("Compare budgets, spending and services by municipality and region."),
    ], [(_("Municipalities"), "frontend:municipalities")]),
    Role.PLATFORM_ADMIN: Panel(Role.PLATFORM_ADMIN, _("Run the platform: municipalities, providers, accounts."), [
        _("Provision municipalities."),
        _("Verify providers."),
    ], [(_("Municipalities"), "frontend:municipalities"), (_("Add a municipality"), "frontend:municipality-new"),
        (_("Users and roles"), "frontend:members"), (_("Administration"), "admin:index")]),
}
