"""The audit log's words, in one place (docs/adr/0018): an audit row stores a stable message code and its
parameters (``AuditEvent.message``, ``AuditEvent.params``), and the page translates them when the row is read.

``MESSAGES`` maps each code to its ``shown`` template, a msgid with ``%(name)s`` placeholders translated in the
reader's language (``""`` shows nothing beyond the action, e.g. a sign-in), and, where the stored English
summary reads differently (it keeps the technical references: ids, Stripe sessions), its ``english`` template.
``kinds`` say how a parameter reads on the page: ``money`` (a Decimal string, format_eur), ``date`` /
``date:locative`` (an ISO date), ``month`` ("2026-11"), ``choice:app.Model.field`` (a stored code, shown by its
choice label), ``fields:app.Model`` (field names, shown by their verbose names) and ``models`` ({"app.model":
count}, shown by the model's verbose name). ``about_person`` rows carry ``person`` (the name, may be absent)
and ``person_id``: the summary starts "Name (#5): " so the administrator can search by name, the page
"Name: ".

A code nobody registered, or parameters a template lacks, never fail: the page shows the stored summary.
tests/platform/test_audit_messages.py checks every ``message=`` in the code base against this registry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, gettext_noop

from .formats import MONTHS_EN, MONTHS_LV, current_language, format_date
from .money import format_eur

N_ = gettext_noop
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Message:
    shown: str
    english: str = ""
    kinds: dict[str, str] = field(default_factory=dict)
    about_person: bool = False

    @property
    def english_template(self) -> str:
        return self.english or self.shown

    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.shown)) | set(PLACEHOLDER.findall(self.english_template))


def _m(shown: str, english: str = "", **kinds: str) -> Message:
    return Message(shown, english, kinds)


def _person(shown: str, english: str = "", **kinds: str) -> Message:
    return Message(shown, english, kinds, about_person=True)


AGREEMENT_STATUS = "choice:agreements.Agreement.status"
APPROVAL_STATUS = "choice:approvals.ProviderApproval.status"
ROLE = "choice:tenants.Membership.role"
COPAYMENT = "Stripe %(session)s"

MESSAGES: dict[str, Message] = {
    # Signing in (the action says it all).
    "account.signed_in": _m("", "sign-in"),
    "account.signed_out": _m("", "sign-out"),
    "account.sign_in_failed": _m("%(who)s", "failed sign-in for %(who)s"),
    "account.two_factor_set_up": _m(N_("two-step sign-in set up"), "two-factor app set up"),
    "account.two_factor_wrong_code": _m(N_("wrong two-step sign-in code"), "wrong two-factor code"),
    "account.two_factor_wrong_code_renewing": _m(N_("wrong two-step sign-in code when renewing the recovery codes"),
                                                 "wrong two-factor code when renewing recovery codes"),
    "account.recovery_codes_renewed": _m(N_("recovery codes renewed"), "two-factor recovery codes renewed"),
    "account.security_key_added": _m(N_("security key added: %(name)s")),
    "account.security_key_used": _m(N_("second step with the security key %(name)s")),
    "account.security_key_unknown": _m(N_("a key not registered to the account was offered")),
    "account.security_key_refused": _m(N_("the security key's answer was refused")),
    "account.security_key_cloned": _m(N_("the security key's counter went back (it may have been copied)")),
    "account.security_key_removed": _m(N_("security key removed: %(name)s")),
    "account.sign_up_address_confirmed": _m(N_("sign-up address confirmed: %(email)s"),
                                            "confirmed sign-up address %(email)s"),
    # Roles.
    "role.proposed": _m(N_("role %(role)s proposed to %(email)s"), "proposed %(role)s to %(email)s", role=ROLE),
    "role.granted": _m(N_("role %(role)s granted to %(email)s"), "granted %(role)s to %(email)s", role=ROLE),
    "role.confirmed": _m(N_("role %(role)s confirmed for %(email)s"), "confirmed %(role)s for %(email)s", role=ROLE),
    "role.removed": _m(N_("role %(role)s removed from %(email)s"), "removed %(role)s from %(email)s", role=ROLE),
    # Providers, services, approvals and price caps.
    "provider.signed_up": _m(N_("provider signed up: %(name)s"), "provider sign-up %(name)s"),
    "provider.profile_changed": _m(N_("profile of %(name)s changed"), "profile of %(name)s"),
    "provider.status_changed": _m(N_("provider %(name)s: %(status)s"), "provider %(name)s %(status)s",
                                  status="choice:catalogue.Provider.status"),
    "provider.decided": _m(N_("provider %(name)s: %(status)s"), "provider %(name)s %(status)s",
                           status=APPROVAL_STATUS),
    "service.decided": _m(N_("service: %(status)s"), "service %(service)s %(status)s", status=APPROVAL_STATUS),
    "service.price_changed": _m(N_("service price changed"), "price of service %(service)s"),
    "services.approved": _m(N_("services of %(name)s approved: %(n)s"), "approved %(n)s services of %(name)s"),
    "price_cap.set": _m(N_("price cap set"), "price cap %(service_type)s/%(unit)s"),
    "price_cap.removed": _m(N_("price cap removed"), "price cap %(service_type)s/%(unit)s removed"),
    "stripe.account_created": _m(N_("Stripe account for %(name)s"), "Stripe account %(account)s for %(name)s"),
    # Agreements, sessions and co-payments.
    "agreement.rules_changed": _m(N_("agreement rules")),
    "agreement.drafted": _m(N_("agreement draft"), "agreement draft for person %(person_id)s"),
    "agreement.status_changed": _m(N_("agreement %(before)s → %(after)s"), "agreement %(before)s → %(after)s",
                                   before=AGREEMENT_STATUS, after=AGREEMENT_STATUS),
    "agreement.carried_over": _m(N_("agreement carried over to the new budget"),
                                 "agreement carried over from budget %(previous)s to budget %(budget)s"),
    "agreement.carry_over_answered": _m(N_("carry-over to the new budget answered: %(answer)s"),
                                        "carry-over to budget %(budget)s answered: %(answer)s",
                                        answer="choice:agreements.CarryOver.status"),
    "copayment.by_card": _m(N_("co-payment by card: %(amount)s"), "co-payment %(amount)s EUR by card, %(session)s",
                            amount="money"),
    "copayment.paid": _m(N_("co-payment paid"), f"co-payment paid ({COPAYMENT})"),
    "copayment.expired": _m(N_("co-payment not paid in time"), f"co-payment expired ({COPAYMENT})"),
    "copayment.processing": _m(N_("co-payment being processed"), f"co-payment processing ({COPAYMENT})"),
    "copayment.failed": _m(N_("co-payment failed"), f"co-payment failed ({COPAYMENT})"),
    "session.recorded": _m(N_("session on %(date)s"), "session %(date)s", date="date:locative"),
    "session.confirmed": _m(N_("session confirmed")),
    "session.confirmed_with_month": _m(N_("session confirmed (the whole month %(month)s confirmed at once)"),
                                       "session confirmed (month %(month)s confirmed at once)", month="month"),
    "session.disputed": _m(N_("session disputed")),
    "session.corrected": _m(N_("session corrected")),
    "session.withdrawn": _m(N_("session withdrawn")),
    # Invoices.
    "invoice.drafted": _m(N_("invoice draft for %(month)s"), "invoice draft %(month)s", month="month"),
    "invoice.draft_deleted": _m(N_("invoice draft deleted")),
    "invoice.submitted": _m(N_("invoice %(number)s submitted")),
    "invoice.first_approval": _m(N_("invoice %(number)s: first approval (a second finance officer completes it)"),
                                 "invoice %(number)s first approval (a second finance officer completes it)"),
    "invoice.approved": _m(N_("invoice %(number)s approved")),
    "invoice.rejected": _m(N_("invoice %(number)s rejected")),
    "invoice.rejected_after_payment": _m(N_("invoice %(number)s rejected after payment")),
    "invoice.paid": _m(N_("invoice %(number)s paid")),
    "invoice.payment_returned": _m(N_("invoice %(number)s: payment returned"), "invoice %(number)s payment returned"),
    "invoice.marked_paid_by_hand": _m(N_("invoice %(number)s marked paid by hand")),
    # Payments.
    "payment.batch_created": _m(N_("payment batch %(id)s: payments %(n)s, total %(amount)s"),
                                "payment batch %(id)s: %(n)s payments, %(amount)s", amount="money"),
    "payment.batch_exported": _m(N_("payment batch %(id)s exported")),
    "payment.batch_confirmed": _m(N_("payment batch %(id)s confirmed")),
    "payment.batch_cancelled": _m(N_("payment batch %(id)s cancelled")),
    "payment.statement_imported": _m(
        N_("bank statement %(id)s: paid %(paid)s, returned %(returned)s, not matched %(unmatched)s"),
        "statement %(id)s: %(paid)s paid, %(returned)s returned, %(unmatched)s unmatched"),
    "payment.retried": _m(N_("payment retried"), "payment %(payment)s retried"),
    "payment.recovered": _m(N_("payment recovered"), "payment %(payment)s recovered"),
    "payment.taken_back": _m(N_("payment taken back: invoice %(number)s cancelled"),
                             "payment %(payment)s taken back: invoice %(number)s cancelled"),
    "payment.funding_top_up": _m(N_("funding top-up: %(amount)s"), "funding top-up %(amount)s", amount="money"),
    "payment.settings_changed": _m(N_("payment settings changed")),
    # Budgets.
    "budget.viewed": _m(N_("budget"), "budget of person %(person_id)s"),
    "budget.granted": _m(N_("budget granted: %(amount)s"), "budget granted %(amount)s EUR for plan %(plan)s",
                         amount="money"),
    "budget.closed": _m(N_("budget closed")),
    "budget.methodology_changed": _m(N_("budget methodology changed")),
    # Messages.
    "message.reported": _m(N_("message reported")),
    # People: reads (the middleware's row per request, and the pages' own) and changes.
    "person.read": _m(N_("page %(path)s: %(objects)s; persons: %(n)s"), "read %(path)s: %(objects)s; %(n)s person(s)",
                      objects="models"),
    "person.list_searched": _m(N_("person list (search “%(query)s”, found: %(n)s)"),
                               "person list (search “%(query)s”, %(n)s found)"),
    "person.page_viewed": _person(N_("person page")),
    "person.edit_form_viewed": _person(N_("edit form")),
    "person.document_viewed": _person(N_("document %(file)s"), "document %(file)s"),
    "person.my_plan_viewed": _person(N_("my plan page"), "my plan page as %(capacity)s"),
    "person.api_read": _person(N_("API: %(what)s"), "API: %(what)s", what="api"),
    "person.api_document_read": _person(N_("API: document %(file)s"), "API: document %(file)s"),
    "person.registered": _person(N_("person registered")),
    "person.changed": _person(N_("changed: %(fields)s"), "changed %(fields)s", fields="fields:people.Person"),
    "person.relation_added": _person(N_("relation added: %(kind)s %(email)s"), "%(kind)s %(email)s added",
                                     kind="choice:people.Relation.kind"),
    "person.relation_view_changed": _person(N_("what the support person sees changed"),
                                            "support person's view changed"),
    "person.relation_ended": _person(N_("relation ended")),
    "person.consent_recorded": _person(N_("consent recorded: %(kind)s"), "consent %(kind)s recorded",
                                       kind="choice:people.Consent.kind"),
    "person.consent_withdrawn": _person(N_("consent withdrawn: %(kind)s"), "consent %(kind)s withdrawn",
                                        kind="choice:people.Consent.kind"),
    "person.assessment_recorded": _person(N_("needs assessment recorded")),
    "person.assessment_document_attached": _person(N_("document attached to the assessment"),
                                                   "document attached to assessment #%(assessment)s"),
    "person.plan_viewed": _person(N_("support plan, version %(version)s"), "support plan v%(version)s"),
    "person.plan_drafted": _person(N_("support plan, version %(version)s, drafted"),
                                   "support plan v%(version)s drafted"),
    "person.plan_changed": _person(N_("support plan, version %(version)s, changed"),
                                   "support plan v%(version)s changed"),
    "person.plan_agreed": _person(N_("support plan, version %(version)s, agreed"),
                                  "support plan v%(version)s agreed by %(capacity)s"),
    "person.plan_approved": _person(N_("support plan, version %(version)s, approved"),
                                    "support plan v%(version)s approved"),
    "person.plan_reviewed": _person(N_("support plan, version %(version)s, reviewed"),
                                    "support plan v%(version)s reviewed"),
    "person.erasure_requested": _person(N_("erasure requested")),
    "person.erased": _person(N_("erased on request"), "erasure on request"),
    "person.anonymised": _person(N_("anonymised at the end of the retention period"), "anonymised (retention)"),
    # Retention (the nightly job).
    "retention.free_text_anonymised": _m(N_("free text anonymised at the end of its retention period"),
                                         "retention: free text anonymised"),
    "retention.audit_expired": _m(N_("audit rows past their retention period deleted"),
                                  "retention: expired audit rows deleted"),
}
# What a person's record the API read ("API: person"), in words.
API_READS = {"person": N_("person"), "relations": N_("relations"), "consents": N_("consents"),
             "needs assessments": N_("needs assessments"), "support plans": N_("support plans"),
             "support plan": N_("support plan")}


def english(code: str, params: dict) -> str:
    """The stored summary: plain English with the technical references, for search, exports and grep."""
    message = MESSAGES.get(code)
    if message is None:
        return code
    values = {name: _english_value(message.kinds.get(name, ""), value) for name, value in params.items()}
    text = message.english_template % _defaulted(message, values)
    if message.about_person:
        name = params.get("person") or ""
        text = f"{name} (#{params.get('person_id')}): {text}" if name else f"#{params.get('person_id')}: {text}"
    return text


def shown(code: str, params: dict, *, summary: str = "") -> str:
    """The row in the reader's language; ``summary`` (the stored English) for a code or parameters that do not fit."""
    message = MESSAGES.get(code)
    if message is None:
        return summary
    try:
        values = {name: _shown_value(message.kinds.get(name, ""), value) for name, value in params.items()}
        text = gettext(message.shown) % values if message.shown else ""
    except (KeyError, ValueError, TypeError, LookupError, InvalidOperation, FieldDoesNotExist):
        return summary
    if message.about_person and params.get("person"):
        return f"{params['person']}: {text}"
    return text


def _defaulted(message: Message, values: dict) -> dict:
    return {name: values.get(name, "") for name in message.placeholders()} | values


def _english_value(kind: str, value):
    if kind == "models":
        return ", ".join(f"{label} ×{n}" for label, n in value.items())
    if kind.startswith("fields:"):
        return ", ".join(value)
    return value


def _shown_value(kind: str, value):
    if not kind:
        return value
    if kind == "money":
        return format_eur(Decimal(str(value)))
    if kind.startswith("date"):
        case = kind.partition(":")[2] or "nominative"
        return format_date(dt.date.fromisoformat(value), case=case)
    if kind == "month":
        year, month = (int(part) for part in value.split("-"))
        if current_language() == "en":
            return f"{MONTHS_EN[month - 1]} {year}"
        return f"{year}. gada {MONTHS_LV['nominative'][month - 1]}"
    if kind.startswith("choice:"):
        app_label, model, name = kind.partition(":")[2].split(".")
        labels = dict(apps.get_model(app_label, model)._meta.get_field(name).flatchoices)
        return str(labels.get(value, value))
    if kind.startswith("fields:"):
        meta = apps.get_model(kind.partition(":")[2])._meta
        return ", ".join(str(_verbose(meta, name)) for name in value)
    if kind == "models":
        return ", ".join(f"{model_name(label)} ×{n}" for label, n in value.items())
    if kind == "api":
        return gettext(API_READS[value]) if value in API_READS else value
    return value


def _verbose(meta, name: str):
    try:
        return meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def model_name(label: str) -> str:
    """"accounts.user" → "lietotājs" / "user"; an unknown label as it is."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label
